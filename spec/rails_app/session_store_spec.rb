# frozen_string_literal: true

require "cgi"
require "railsess/rails_integration"

# Counts the encrypted jars ActionDispatch builds.
module SessionStoreJarCounter
  class << self
    attr_accessor :count
  end
  self.count = 0

  def initialize(*)
    SessionStoreJarCounter.count += 1
    super
  end
end

# Rails' own cookie session store (ActionDispatch::Session::CookieStore, in a RailsStack) with
# railsess installed: its session read and write skip the cookie-jar chain
# (RailsIntegration::SessionCookieStore). Every case runs the same requests with railsess off
# (plain Rails) and on, and expects the same outcome: the session read, whether and how the cookie
# is rewritten, the error raised. Needs no Rails application: bin/spec-newer-rails runs it too.
RSpec.describe "Rails' cookie session store on railsess", :active_support do
  before(:all) do
    RailsStack.load!
    Railsess.install!
  end

  after { Railsess.install! }

  let(:base) { "http://www.myapp.test" }
  let(:key) { "_myapp_session" }
  let(:session) { { "user_id" => 42, "roles" => ["admin", "<b>"], "note" => "ü & \u2028" } }

  def railsess(on)
    on ? Railsess.install! : Railsess.uninstall!
  end

  # [status or the error's class, the session the action saw, the session cookie written (or nil)]
  def visit(app, on, cookie, method: "GET", path: "/session", body: nil)
    status, headers, text = call(app, on, cookie, method: method, path: path, body: body)
    [status, status == 200 && path == "/session" ? JSON.parse(text) : text, written_cookies(headers)[key]]
  rescue StandardError => e
    [e.class, nil, nil]
  end

  def call(app, on, cookie, method: "GET", path: "/session", body: nil)
    railsess(on)
    env = Rack::MockRequest.env_for("#{base}#{path}", method: method, input: body && JSON.generate(body),
                                                      "CONTENT_TYPE" => "application/json")
    env["HTTP_COOKIE"] = "#{key}=#{CGI.escape(cookie)}" if cookie
    status, headers, response = app.call(env)
    text = +""
    response.each { |part| text << part }
    [status, headers, text]
  ensure
    Railsess.install!
  end

  # Set-Cookie's name => value (unescaped).
  def written_cookies(headers)
    headers["Set-Cookie"].to_s.split("\n").to_h do |line|
      name, value = line[/\A[^;]*/].split("=", 2)
      [name, CGI.unescape(value)]
    end
  end

  # The session cookie `app` writes for `data` (the session id it got is remembered).
  def write_session(app, on: false, data: session)
    status, seen, cookie = visit(app, on, nil, method: "POST", body: data)
    expect(status).to eq(200)
    (@ids ||= {})[seen["session_id"]] = :original
    cookie
  end

  # The same read with railsess off and on; returns railsess' outcome after comparing. The
  # session id is compared as :original (the writer's) or :other (a new random one).
  def expect_same_read(app, cookie, reread: app)
    rails, ours = [false, true].map do |on|
      status, seen, rewritten = visit(app, on, cookie)
      # The rewrite, read back by `reread` (Rails alone): what the next request would see.
      [status, ids(seen), rewritten && ids(visit(reread, false, rewritten)[1])]
    end
    expect(ours).to eq(rails)
    ours
  end

  def ids(seen)
    return seen unless seen.is_a?(Hash) && seen.key?("session_id")

    seen.merge("session_id" => @ids.fetch(seen["session_id"], :other))
  end

  def rails_before?(version) = ActionPack.gem_version < Gem::Version.new(version)

  # The cookie serializer RailsStack.app uses unless told: :json, or :message_pack in the
  # RAILSESS_COOKIES_SERIALIZER=message_pack run.
  def serializer_name = RailsStack::ENV_DEFAULTS.fetch(:cookies_serializer)

  def require_message_pack!
    skip "Rails #{ActionPack.version}: no MessagePack cookie serializer before 7.1" if rails_before?("7.1")
    require "active_support/message_pack"
  rescue LoadError => e # Debian 12's msgpack 1.4 is older than ActiveSupport::MessagePack needs
    skip "ActiveSupport::MessagePack does not load here: #{e.message}"
  end

  # How the jar's serializer's dump starts: JSON text, or ActiveSupport's MessagePack signature.
  def dump_start(serializer) = { json: "{", message_pack: "\xCC\x80".b }.fetch(serializer)

  # The serialized session inside a GCM session cookie of RailsStack's secret (the envelope unchecked).
  def dumped(cookie)
    secret = RailsStack.env_config["action_dispatch.key_generator"].generate_key("authenticated encrypted cookie", 32)
    plain = Vectors.raw_decrypt(cookie, cipher: "aes-256-gcm", secret: secret)
    Base64.strict_decode64(JSON.parse(plain)["_rails"]["message"]).b
  end

  def restored = eq(session.merge("session_id" => :original))

  {
    "GCM" => {}, "AES-256-CBC" => { use_authenticated_cookie_encryption: false },
    "SHA256 key derivation" => { key_generator_hash_digest_class: OpenSSL::Digest::SHA256 },
    "no metadata" => { use_cookies_with_metadata: false }, ":hybrid" => { cookies_serializer: :hybrid },
    "own salts" => { authenticated_encrypted_cookie_salt: "gcm salt", encrypted_cookie_salt: "cbc salt",
                     encrypted_signed_cookie_salt: "cbc signing salt" }
  }.each do |label, options|
    it "reads and writes what Rails does, without building the encrypted cookie jar (#{label})" do
      app = RailsStack.app(expire_after: 3600, **options)
      ActionDispatch::Cookies::EncryptedKeyRotatingCookieJar.prepend(SessionStoreJarCounter)

      [[false, true], [true, false], [true, true]].each do |writer, reader|
        cookie = write_session(app, on: writer)
        status, seen, rewritten = visit(app, reader, cookie)
        expect([status, ids(seen)]).to match([200, restored])
        expect(visit(app, !reader, rewritten)[1]).to eq(seen)
      end
      SessionStoreJarCounter.count = 0
      visit(app, true, write_session(app, on: true))
      expect(SessionStoreJarCounter.count).to eq(0)
      visit(app, false, write_session(app, on: false))
      expect(SessionStoreJarCounter.count).to be >= 1
    end
  end

  it "writes the message Rails writes: the same envelope (purpose, expiry) around the same serialized session" do
    app = RailsStack.app(expire_after: 3600)
    secret = RailsStack.env_config["action_dispatch.key_generator"].generate_key("authenticated encrypted cookie", 32)
    envelopes = [false, true].map do |on|
      plain = Vectors.raw_decrypt(write_session(app, on: on), cipher: "aes-256-gcm", secret: secret) # no envelope check
      rails = JSON.parse(plain)["_rails"]
      dumped = Base64.strict_decode64(rails["message"])
      expect(dumped).to start_with(dump_start(serializer_name))
      # Without the session id (32 hex digits after "session_id": `":"` in JSON, 0xD9 0x20 in MessagePack).
      dumped = dumped.b.sub(/session_id(":"|\xD9 )\h{32}/n, "")
      [rails.keys, rails["pur"], rails["exp"][/\.\d+Z\z/] && Time.iso8601(rails["exp"]), dumped]
    end
    expiries = envelopes.map { |envelope| envelope.delete_at(2) }
    expect(envelopes.last).to eq(envelopes.first)
    expect(envelopes.last[1]).to eq("cookie.#{key}")
    expect(expiries.last).to be_within(5).of(expiries.first) # both iso8601(3) in UTC, about now + 3600
    expect(expiries.last).to be_within(60).of(Time.now + 3600)
  end

  it "writes the same Set-Cookie attributes" do
    lines = [false, true].map do |on|
      railsess(on)
      env = Rack::MockRequest.env_for("#{base}/session", method: "POST", input: JSON.generate(session),
                                                         "CONTENT_TYPE" => "application/json")
      headers = RailsStack.app(domain: :all, expire_after: 3600, same_site: :strict).call(env)[1]
      headers["Set-Cookie"].sub(/=[^;]*/, "=").sub(/expires=[^;]*/, "expires")
    end
    expect(lines.last).to eq(lines.first)
    # Rails 7.1+ leaves the leading dot out of domain: :all.
    attributes = Regexp.escape(RackSpelling.cookie_attributes("; HttpOnly; SameSite=Strict"))
    expect(lines.last).to match(%r{\A#{key}=; domain=\.?myapp\.test; path=/; expires#{attributes}\z})
  end

  context "with a cookie the session's first encryptor does not take" do
    it "reads a cookie from a rotated secret, rewrites it with the current one, and reports the rotation" do
      old = RailsStack.key_generator("old" * 43, 1000, OpenSSL::Digest::SHA1)
      rotations = ActiveSupport::Messages::RotationConfiguration.new
      rotations.rotate :encrypted, old.generate_key("authenticated encrypted cookie", 32)
      app = RailsStack.app(cookies_rotations: rotations)
      cookie = write_session(RailsStack.app(secret_key_base: "old" * 43))
      events = []
      subscriber = ActiveSupport::Notifications.subscribe(Railsess::RailsIntegration::EVENT) { |*e| events << e.last }

      expect(expect_same_read(app, cookie, reread: RailsStack.app)).to match([200, restored, restored])
      expect(events).to eq([{ jar: :encrypted, purpose: "cookie.#{key}" }])
    ensure
      ActiveSupport::Notifications.unsubscribe(subscriber)
    end

    it "upgrades an AES-256-CBC session cookie to GCM" do
      cookie = write_session(RailsStack.app(use_authenticated_cookie_encryption: false))
      expect(cookie.split("--").size).to eq(2)
      expect(expect_same_read(RailsStack.app, cookie)).to match([200, restored, restored])
    end

    it "reads a GCM cookie where CBC is still the first encryptor (prepared upgrade)" do
      cookie = write_session(RailsStack.app)
      cbc_app = RailsStack.app(use_authenticated_cookie_encryption: false)
      expect(expect_same_read(cbc_app, cookie)).to match([200, restored, restored])
    end

    it "migrates a Marshal session to JSON under :hybrid" do
      cookie = write_session(RailsStack.app(cookies_serializer: :marshal))
      hybrid = RailsStack.app(cookies_serializer: :hybrid)
      expect(expect_same_read(hybrid, cookie, reread: RailsStack.app)).to match([200, restored, restored])
    end

    it "does what Rails does with a Marshal session under :json or :message_pack (6.1 raises, 7.0+ start anew)" do
      cookie = write_session(RailsStack.app(cookies_serializer: :marshal))
      expected = rails_before?("7.0") ? [JSON::ParserError, nil, nil] : [200, {}, nil]
      expect(expect_same_read(RailsStack.app, cookie)).to eq(expected)
    end

    # An app switching its cookies_serializer: 7.1+ read the other format and rewrite the session.
    it "reads a :json session under :message_pack and a :message_pack one under :json (Rails 7.1+)" do
      require_message_pack!
      %i[json message_pack].permutation.each do |from, to|
        cookie = write_session(RailsStack.app(cookies_serializer: from))
        app = RailsStack.app(cookies_serializer: to)
        expect(dumped(cookie)).to start_with(dump_start(from))
        expect(expect_same_read(app, cookie)).to match([200, restored, restored])
        [false, true].each { |on| expect(dumped(visit(app, on, cookie)[2])).to start_with(dump_start(to)) }
      end
    end

    it "reads a MessagePack session with Symbol keys, a Symbol and a Time as Rails does (Rails 7.1+)" do
      require_message_pack!
      app = RailsStack.app(cookies_serializer: :message_pack)
      env = Rack::MockRequest.env_for("#{base}/").merge(RailsStack.env_config(cookies_serializer: :message_pack))
      jar = ActionDispatch::Cookies::CookieJar.build(ActionDispatch::Request.new(env), {})
      sid = SecureRandom.hex(16)
      at = Time.utc(2026, 1, 2, 3, 4, 5)
      jar.encrypted[key] = { value: { session_id: sid, user_id: 42, role: :admin, "at" => at } }
      @ids = { sid => :written }
      # CookieStore stringifies the keys (its session id among them) of what the jar reads.
      expect(expect_same_read(app, jar[key]).first(2))
        .to eq([200, { "session_id" => :written, "user_id" => 42, "role" => "admin",
                       "at" => "2026-01-02T03:04:05.000+00:00" }]) # a Time with an offset of 0 back
    end

    it "reads a cookie written without metadata (no purpose)" do
      cookie = write_session(RailsStack.app(use_cookies_with_metadata: false))
      expect(expect_same_read(RailsStack.app, cookie)).to match([200, restored, restored])
    end

    it "refuses another cookie's value (purpose), a tampered, truncated or foreign one: a new session" do
      app = RailsStack.app
      other = written_cookies(call(app, false, nil, method: "POST", path: "/cookies/encrypted/other",
                                                    body: { value: session })[1])["other"]
      valid = write_session(app)
      foreign = write_session(RailsStack.app(secret_key_base: "f" * 128))
      [valid.reverse, valid[0..-3], valid.sub(/\A./) { |c| c == "A" ? "B" : "A" }, "garbage", "", "a--b--c",
       foreign, other].each do |cookie|
        expect(expect_same_read(app, cookie)).to eq([200, {}, nil])
      end
    end

    it "refuses an expired session cookie" do
      cookie = write_session(RailsStack.app(expire_after: -60))
      expect(expect_same_read(RailsStack.app, cookie)).to eq([200, {}, nil])
    end

    it "raises what Rails raises for a session that is not a JSON object" do
      app = RailsStack.app
      ["text", [1, 2], 3].each do |value|
        # The encrypted jar under the session's name: the session's purpose, not an object.
        headers = call(app, false, nil, method: "POST", path: "/cookies/encrypted/#{key}", body: { value: value })[1]
        expect(expect_same_read(app, written_cookies(headers)[key]).first).to be(NoMethodError)
      end
    end
  end

  # Rails 7.1+'s :json reads a cookie another serializer wrote (and rewrites it as JSON), and so
  # does :message_pack: the encrypted jar keeps Rails' serializer there.
  it "reads an encrypted cookie written as MessagePack under :json (JSON under :message_pack) as Rails does" do
    require_message_pack!
    writer = RailsStack.app(cookies_serializer: serializer_name == :message_pack ? :json : :message_pack)
    headers = call(writer, false, nil, method: "POST", path: "/cookies/encrypted/prefs",
                                       body: { value: { "a" => 1 } })[1]
    value = written_cookies(headers)["prefs"]
    reader = RailsStack.app
    outcomes = [false, true].map do |on|
      railsess(on)
      env = Rack::MockRequest.env_for("#{base}/cookies/encrypted/prefs", "HTTP_COOKIE" => "prefs=#{CGI.escape(value)}")
      status, headers, body = reader.call(env)
      text = +""
      body.each { |part| text << part }
      [status, text, written_cookies(headers).key?("prefs")]
    end
    expect(outcomes.last).to eq(outcomes.first)
    expect(outcomes.first).to eq([200, '{"value":{"a":1}}', true])
  end

  it "puts the encrypted jar's :json on Railsess::JSON only where Rails' is plain JSON (before 7.1)" do
    request = ActionDispatch::Request.new(Rack::MockRequest.env_for("#{base}/").merge(RailsStack.env_config))
    serializer = request.cookie_jar.encrypted.send(:serializer)
    if rails_before?("7.1")
      expect(serializer).to be(Railsess::RailsIntegration::JsonSerializer)
    else
      # :json, or :message_pack: Rails' own in 7.1+.
      expect(serializer).to be(ActiveSupport::Messages::SerializerWithFallback[serializer_name])
    end
  end

  it "leaves a Marshal-serialized session to Rails (no Marshal is loaded on its behalf)" do
    app = RailsStack.app(cookies_serializer: :marshal)
    cookie = write_session(app, on: true)
    expect(expect_same_read(app, cookie)).to match([200, restored, restored])
  end

  describe "the 4 KB limit" do
    it "raises CookieOverflow as Rails does" do
      app = RailsStack.app
      results = [false, true].map { |on| visit(app, on, nil, method: "POST", body: { "big" => "x" * 4000 }).first }
      expect(results).to eq([ActionDispatch::Cookies::CookieOverflow] * 2)
    end

    # Rails 6.1-8.0 check the value's size, 8.1 the name's and value's together.
    it "decides as Rails does for a value that fits although name and value together do not" do
      app = RailsStack.app
      # The first padding whose cookie crosses 4096 - name (or overflows): sizes grow by 4 bytes.
      pad = (2000..3100).find do |n|
        cookie = visit(app, false, nil, method: "POST", body: { "pad" => "x" * n })[2]
        cookie.nil? || cookie.bytesize > 4096 - key.bytesize
      end
      outcomes = [false, true].map do |on|
        status, _, cookie = visit(app, on, nil, method: "POST", body: { "pad" => "x" * pad })
        [status, cookie&.bytesize]
      end
      expect(outcomes).to eq([outcomes.first] * 2)
      if rails_before?("8.1")
        expect(outcomes.first).to match([200, (4096 - key.bytesize + 1)..4096])
      else
        expect(outcomes.first).to eq([ActionDispatch::Cookies::CookieOverflow, nil])
      end
    end
  end

  it "keeps each request on its own configuration when threads share one store under two secrets" do
    first = RailsStack.app
    inner = first.instance_variable_get(:@app) # the one middleware stack, its one CookieStore
    second = RailsStack::EnvConfig.new(inner, RailsStack.env_config(secret_key_base: "e" * 128),
                                       first.instance_variable_get(:@routes))
    failures = Queue.new
    threads = Array.new(6) do |t|
      Thread.new do
        own, other = t.even? ? [first, second] : [second, first]
        20.times do |i|
          data = { "thread" => t, "i" => i }
          cookie = write_session(own, on: true, data: data)
          seen = visit(own, true, cookie)[1]
          failures << [t, i, seen] unless seen.is_a?(Hash) && seen.slice("thread", "i") == data
          failures << [t, i, :other] unless visit(other, true, cookie)[1] == {}
        end
      end
    end
    threads.each(&:join)
    expect(failures.size).to eq(0), failures.size.zero? ? "" : failures.pop.inspect
  end

  it "builds one codec per configuration and none where Rails' jar must run" do
    store = ActionDispatch::Session::CookieStore.new(->(_env) { [200, {}, []] }, key: key)
    config = RailsStack.env_config
    request = lambda do |**options|
      settings = options.empty? ? config : RailsStack.env_config(**options)
      ActionDispatch::Request.new(Rack::MockRequest.env_for("#{base}/").merge(settings))
    end
    codec = ->(req) { store.send(:railsess_session_codec, req) }
    # A store that reads its cookie its own way keeps its way.
    signed_store = Class.new(ActionDispatch::Session::CookieStore) do
      def cookie_jar(request) = request.cookie_jar.signed
    end
    expect(signed_store.new(->(_env) { [200, {}, []] }, key: key).send(:railsess_session_codec, request.call)).to be_nil
    first = codec.call(request.call)
    expect(first).to be_a(Railsess::RailsIntegration::SessionCodec)
    expect(codec.call(request.call)).to equal(first) # same settings, new env: the cached codec
    expect(codec.call(request.call)).to equal(first)
    # Another key generator (the same secret): a codec of its own.
    expect(codec.call(request.call(secret_key_base: config["action_dispatch.secret_key_base"]))).not_to equal(first)
    expect(codec.call(request.call(secret_key_base: "e" * 128))).not_to equal(first)
    expect(codec.call(request.call(cookies_serializer: :marshal))).to be_nil
    expect(codec.call(request.call(secret_key_base: ""))).to be_nil # the signed jar: Rails' path
    Railsess.uninstall!
    expect(codec.call(request.call)).to be_nil
  end
end
