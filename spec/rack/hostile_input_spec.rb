# frozen_string_literal: true

require "rack/mock"

# Hostile input at the Rack layer: every request gets an answer (an empty session, nil, false),
# never an exception, and Marshal is never loaded from a JSON app's cookies.
RSpec.describe "the Rack layer with hostile input", kind: :bad_input do
  let(:secret) { "n" * 64 }
  let(:config) { Railsess::CookieConfig.new(secret_key_base: secret, preset: "7.1") }
  let(:app) do
    Railsess::Session::CookieStore.new(->(env) { [200, {}, [env["rack.session"].to_hash.inspect]] },
                                       config: config, key: "_s")
  end

  def get(cookie)
    Rack::MockRequest.new(app).get("/", "HTTP_COOKIE" => cookie)
  end

  {
    "a 1 MB cookie" => "_s=#{'A' * 1_048_576}",
    "NUL bytes" => "_s=abc%00--def%00--ghi",
    "invalid UTF-8" => "_s=%FF%FE%FD--%C3%28",
    "broken escapes" => "_s=%zz%--%",
    "many separators" => "_s=#{'--' * 5000}",
    "many cookies" => Array.new(2000) { |i| "c#{i}=#{i}" }.join("; ")
  }.each do |label, cookie|
    it "answers #{label} with an empty session" do
      response = get(cookie)
      expect(response.status).to eq(200)
      expect(response.body).to eq("{}")
    end
  end

  # A cookie that decrypts fine but holds something the JSON serializer must refuse.
  def sealed(plaintext)
    key = config.key_generator.generate_key("authenticated encrypted cookie", 32)
    encryptor = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm",
                                                    serializer: Railsess::MessageEncryptor::NullSerializer)
    "_s=#{CGI.escape(encryptor.encrypt_and_sign(plaintext, purpose: 'cookie._s'))}"
  end

  it "never loads Marshal from a JSON app's cookie" do
    expect(Marshal).not_to receive(:load)
    response = get(sealed(Marshal.dump({ "user" => 1 })))
    expect(response.body).to eq("{}")
  end

  it "refuses JSON nested deeper than Ruby's JSON allows, and non-Hash sessions" do
    expect(get(sealed("#{'[' * 500}#{']' * 500}")).body).to eq("{}")
    expect(get(sealed('"just a string"')).body).to eq("{}")
    expect(get(sealed("[1,2]")).body).to eq("{}")
    id = "0123456789abcdef0123456789abcdef"
    expect(get(sealed(%({"session_id":"#{id}","user":1}))).body).to eq(%({"session_id"=>"#{id}", "user"=>1}))
  end

  it "reads cookie jar values defensively" do
    env = Rack::MockRequest.env_for("/", "HTTP_COOKIE" => "a=%FF; b=#{'x' * 100_000}")
    jar = Railsess::CookieJar.new(env, config)
    expect(jar.signed["a"]).to be_nil
    expect(jar.encrypted["b"]).to be_nil
    expect(jar.encrypted[:missing]).to be_nil
    expect(jar.encrypted[nil]).to be_nil
  end

  it "answers CSRF checks with false for non-String and hostile tokens" do
    session = { "_csrf_token" => Railsess::CSRF.token({}).then { |_| "x" * 43 } }
    [nil, 42, [], {}, "", "\0" * 64, "%%%", "A" * 1_000_000, "\xff".b].each do |token|
      expect(Railsess::CSRF.valid?(session, token)).to be(false)
    end
    expect(Railsess::CSRF.valid?({ "_csrf_token" => 123 }, "abc")).to be(false)
  end

  it "keeps the session store's secret out of inspect" do
    expect(app.inspect + config.inspect + config.encrypted.inspect).not_to include(secret)
  end
end
