# frozen_string_literal: true

require_relative "app"

# What Rails' own cookie tests check, with the app's jars on railsess, each written by one side
# (railsess on or off) and read by the other.
RSpec.describe "the Rails app's cookie jars on railsess", :active_support do
  after { Railsess.install! }

  def request(env = {})
    base = Rack::MockRequest.env_for("http://www.myapp.test/").merge(Rails.application.env_config)
    ActionDispatch::Request.new(base.merge(env))
  end

  def jar(cookies = {}, env = {})
    ActionDispatch::Cookies::CookieJar.build(request(env), cookies)
  end

  def with_railsess(on)
    on ? Railsess.install! : Railsess.uninstall!
    yield
  end

  def write(on, name, options, kind: :encrypted, env: {})
    with_railsess(on) do
      cookies = jar({}, env)
      cookies.public_send(kind)[name] = options
      cookies[name]
    end
  end

  def read(on, name, value, kind: :encrypted, env: {})
    with_railsess(on) { jar({ name => value }, env).public_send(kind)[name] }
  end

  # [writer on?, reader on?]
  [[true, true], [true, false], [false, true]].each do |writer, reader|
    by = ->(on) { on ? "railsess" : "ActiveSupport" }
    context "written by #{by.call(writer)}, read by #{by.call(reader)}" do
      %i[encrypted signed].each do |kind|
        it "round-trips #{kind} values and honours expiry" do
          value = { "id" => 1, "tags" => ["<a>", "ü"] }
          expect(read(reader, "c", write(writer, "c", { value: value, expires: 1.hour }, kind: kind), kind: kind))
            .to eq(value)
          expired = write(writer, "c", { value: value, expires: 1.second.ago }, kind: kind)
          expect(read(reader, "c", expired, kind: kind)).to be_nil
        end

        it "refuses a #{kind} value under another cookie's name (purpose) and when tampered" do
          message = write(writer, "a", "secret", kind: kind)
          expect(read(reader, "b", message, kind: kind)).to be_nil
          expect(read(reader, "a", message.reverse, kind: kind)).to be_nil
          expect(read(reader, "a", "garbage", kind: kind)).to be_nil
        end
      end

      it "upgrades a CBC cookie to GCM" do
        cbc = write(writer, "c", "v", env: { "action_dispatch.use_authenticated_cookie_encryption" => false })
        with_railsess(reader) do
          cookies = jar({ "c" => cbc })
          expect(cookies.encrypted["c"]).to eq("v")
          expect(cookies["c"]).not_to eq(cbc) # rewritten as GCM
          expect(read(reader, "c", cookies["c"])).to eq("v")
        end
      end

      it "reads cookies written with an old secret through cookies_rotations, and rewrites them" do
        old_keys = ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new("old" * 40, iterations: 1000))
        old_env = { "action_dispatch.key_generator" => old_keys }
        old = write(writer, "c", "v", env: old_env)
        rotations = ActiveSupport::Messages::RotationConfiguration.new
        rotations.rotate :encrypted, old_keys.generate_key("authenticated encrypted cookie", 32)
        events = []
        subscriber = ActiveSupport::Notifications.subscribe(Railsess::RailsIntegration::EVENT) { |*e| events << e.last }
        with_railsess(reader) do
          cookies = jar({ "c" => old }, "action_dispatch.cookies_rotations" => rotations)
          expect(cookies.encrypted["c"]).to eq("v")
          expect(read(reader, "c", cookies["c"])).to eq("v") # rewritten with the current secret
        end
        expect(events).to eq(reader ? [{ jar: :encrypted, purpose: "cookie.c" }] : [])
      ensure
        ActiveSupport::Notifications.unsubscribe(subscriber)
      end
    end
  end

  # :json, or :message_pack with RAILSESS_COOKIES_SERIALIZER=message_pack (app.rb).
  serializer = Rails.application.config.action_dispatch.cookies_serializer

  it "serializes with the app's cookies_serializer (#{serializer}): signed cookies byte for byte as Rails" do
    value = { "id" => 1, "tags" => ["<a>", "ü"] }
    signed = [true, false].map { |on| write(on, "s", { value: value }, kind: :signed) }
    expect(signed.first).to eq(signed.last)
    envelope = JSON.parse(Base64.strict_decode64(signed.first.split("--").first))["_rails"]
    encrypted = [true, false].map { |on| write(on, "e", { value: value }) }
    secret = Rails.application.key_generator.generate_key("authenticated encrypted cookie", 32)
    rails = ActiveSupport::MessageEncryptor.new(secret, cipher: "aes-256-gcm",
                                                        serializer: ActiveSupport::MessageEncryptor::NullSerializer)
    dumps = [Base64.strict_decode64(envelope["message"])] +
            encrypted.map { |message| rails.decrypt_and_verify(message, purpose: "cookie.e") }
    expect(dumps.uniq.size).to eq(1)
    expect(dumps.first.b).to start_with(serializer == :message_pack ? "\xCC\x80".b : "{")
  end

  it "raises CookieOverflow over 4096 bytes, as Rails does" do
    expect { write(true, "big", "x" * 4000) }.to raise_error(ActionDispatch::Cookies::CookieOverflow)
  end

  it "makes permanent cookies expire in 20 years" do
    with_railsess(true) do
      cookies = jar
      cookies.permanent.signed["p"] = "v"
      expect(cookies.instance_variable_get(:@set_cookies)["p"][:expires]).to be > 19.years.from_now
      expect(read(false, "p", cookies["p"], kind: :signed)).to eq("v")
    end
  end

  it "leaves jars to ActiveSupport when config.railsess.enabled is false (Railsess.uninstall!)" do
    Railsess.uninstall!
    expect(jar.encrypted.instance_variable_get(:@encryptor)).to be_a(ActiveSupport::MessageEncryptor)
    expect(jar.encrypted.instance_variable_get(:@encryptor)).not_to be_a(Railsess::MessageEncryptor)
  end
end
