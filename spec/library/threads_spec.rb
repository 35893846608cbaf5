# frozen_string_literal: true

require "rack/mock"

# Shared encryptors, verifiers, key generators and middleware used from 8 threads at once: every
# result is the right one. (Key derivation releases the GVL, so it really runs in parallel.)
RSpec.describe "railsess from many threads", kind: :stress do
  threads = 8
  rounds = 150

  def in_threads(count)
    Array.new(count) { |t| Thread.new { yield t } }.map(&:value)
  end

  it "encrypts and decrypts with shared encryptors and verifiers" do
    gcm = Railsess::MessageEncryptor.new("g" * 32, cipher: "aes-256-gcm", serializer: JSON)
    cbc = Railsess::MessageEncryptor.new("c" * 32, "s" * 64, cipher: "aes-256-cbc", serializer: JSON)
    verifier = Railsess::MessageVerifier.new("v" * 64, digest: "SHA256", serializer: JSON)
    errors = in_threads(threads) do |t|
      (1..rounds).filter_map do |i|
        value = { "thread" => t, "i" => i, "pad" => "x" * (i % 50) }
        purpose = "cookie.t#{t}"
        ok = gcm.decrypt_and_verify(gcm.encrypt_and_sign(value, purpose: purpose), purpose: purpose) == value &&
             cbc.decrypt_and_verify(cbc.encrypt_and_sign(value)) == value &&
             verifier.verified(verifier.generate(value, purpose: purpose), purpose: purpose) == value &&
             gcm.decrypt_and_verify(gcm.encrypt_and_sign(value, purpose: purpose), purpose: "other").nil?
        [t, i] unless ok
      end
    end.flatten(1)
    expect(errors).to eq([])
  end

  it "derives keys with one shared caching key generator" do
    generator = Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new("secret", iterations: 2000))
    expected = (0...16).to_h do |i|
      [i, OpenSSL::PKCS5.pbkdf2_hmac("secret", "salt #{i}", 2000, 32, OpenSSL::Digest.new("SHA1"))]
    end
    results = in_threads(threads) { (0...16).to_a.shuffle.map { |i| [i, generator.generate_key("salt #{i}", 32)] } }
    results.flatten(1).each { |i, key| expect(key).to eq(expected.fetch(i)) }
  end

  it "serves concurrent requests through one Session::CookieStore" do
    app = Railsess::Session::CookieStore.new(lambda { |env|
      session = env["rack.session"]
      session["n"] = env["QUERY_STRING"].to_i + (session["n"] || 0)
      [200, {}, [session["n"].to_s]]
    }, preset: "7.1", secret_key_base: "t" * 64, key: "_s")
    results = in_threads(threads) do |t|
      cookie = nil
      (1..30).map do
        env = Rack::MockRequest.env_for("/?#{t + 1}", "HTTP_COOKIE" => cookie.to_s)
        _status, headers, body = app.call(env)
        cookie = Array(headers[RackSpelling.set_cookie_header]).first.to_s[/\A[^;]+/]
        body.join.to_i
      end.last
    end
    expect(results).to eq((1..threads).map { |t| t * 30 })
  end
end
