# frozen_string_literal: true

require "open3"
require "tmpdir"
require "rbconfig"

# exe/railsess run as a user runs it: a subprocess, its stdout, stderr and exit code.
RAILSESS_EXE = File.expand_path("../../exe/railsess", __dir__)

RSpec.describe "the railsess command", kind: :integration do
  def railsess(*args, env: {}, stdin: "")
    out, err, status = Open3.capture3({ "SECRET_KEY_BASE" => nil }.merge(env), RbConfig.ruby, RAILSESS_EXE, *args,
                                      stdin_data: stdin)
    [out, err, status.exitstatus]
  end

  def expect_user_error(result, message)
    out, err, code = result
    expect(code).to eq(1)
    expect(out).to eq("")
    expect(err.lines.length).to eq(1), err # one line, no backtrace
    expect(err).to match(message)
  end

  describe "decode" do
    Vectors.of_kind("session").each do |version, v|
      it "decodes the #{version} #{v['preset']} session cookie from its Set-Cookie line, finding the settings" do
        out, err, code = railsess("decode", "Set-Cookie: #{v['set_cookie']}",
                                  env: { "SECRET_KEY_BASE" => v["config"]["secret_key_base"] })
        expect([code, err]).to eq([0, ""])
        report = JSON.parse(out)
        expect(report["value"]).to eq(v["expect"]["session"]) unless v["config"]["cookies_serializer"] == "marshal"
        # "7.2-hybrid-sha1" is an app upgraded from load_defaults <= 6.1: SHA1 and GCM
        expect(report["presets"]).to include(v["preset"].end_with?("-sha1") ? "6.1" : v["preset"].split("-").first)
        sha = v["config"]["key_generator_hash_digest_class"]
        expect(report["key_derivation"]).to start_with("PBKDF2-HMAC-#{sha}")
        gcm = v["config"]["use_authenticated_cookie_encryption"]
        expect(report["cipher"]).to eq(gcm ? "aes-256-gcm" : "aes-256-cbc")
      end
    end

    Vectors.of_kind("cookie").select { |_, v| v["jar"] == "signed" }.first(3).each do |version, v|
      it "decodes the #{version} signed cookie #{v['name']} given as name=value" do
        out, _err, code = railsess("decode", "#{v['name']}=#{v['cookie_value']}", "--stdin",
                                   stdin: "#{v['config']['secret_key_base']}\n")
        expect(code).to eq(0)
        expect(JSON.parse(out)).to include("jar" => "signed", "value" => v["expect"]["value"])
      end
    end

    it "does not load a Marshal payload unless asked" do
      v = Vectors.of_kind("session").map(&:last).find { |s| s["config"]["cookies_serializer"] == "marshal" }
      env = { "SECRET_KEY_BASE" => v["config"]["secret_key_base"] }
      out, = railsess("decode", v["set_cookie"], env: env)
      expect(JSON.parse(out)).to include("serializer" => "marshal", "value" => nil)
      out, = railsess("decode", v["set_cookie"], "--allow-marshal", env: env)
      expect(JSON.parse(out)["value"]).to include("session_id")
    end

    it "fails in one line for a wrong secret, garbage, no secret, or an unknown option" do
      v = Vectors.of_kind("session").first.last
      expect_user_error(railsess("decode", v["set_cookie"], env: { "SECRET_KEY_BASE" => "wrong" }), /no preset/)
      expect_user_error(railsess("decode", "%%%--garbage", env: { "SECRET_KEY_BASE" => "x" }), /no preset/)
      expect_user_error(railsess("decode", v["set_cookie"]), /no secret_key_base: \$SECRET_KEY_BASE is empty/)
      expect_user_error(railsess("decode", v["set_cookie"], "--env", "MY_SECRET"), /\$MY_SECRET is empty/)
      expect_user_error(railsess("decode", "--bogus"), /invalid option: --bogus/)
      expect_user_error(railsess("decode", env: { "SECRET_KEY_BASE" => "x" }), /decode needs the cookie/)
      expect_user_error(railsess("nope"), /unknown command "nope"/)
    end

    context "with a value that is already unescaped (a raw value holding base64's \"+\")" do
      let(:vector) do
        Vectors.of_kind("session").map(&:last).find { |v| CGI.unescape(v["set_cookie"][/=([^;]*)/, 1]).include?("+") }
      end
      let(:raw) { CGI.unescape(vector["set_cookie"][/=([^;]*)/, 1]) }
      let(:env) { { "SECRET_KEY_BASE" => vector["config"]["secret_key_base"] } }

      it "opens it bare and as name=value, and still opens the escaped Set-Cookie form" do
        expect(raw).not_to include("%")
        [raw, "_myapp_session=#{raw}", "Set-Cookie: #{vector['set_cookie']}"].each do |input|
          out, err, code = railsess("decode", input, env: env)
          expect([code, err]).to eq([0, ""])
          expect(JSON.parse(out)["value"]).to eq(vector["expect"]["session"])
        end
      end

      it "says in the failure which forms of which input it tried" do
        tried = "; tried cookie _myapp_session as given and URL-unescaped, the whole input as given and " \
                "URL-unescaped; presets 8.1, 6.1, 5.1, 5.1 with SHA256; jars encrypted, signed"
        expect_user_error(railsess("decode", "_myapp_session=#{raw}", env: { "SECRET_KEY_BASE" => "wrong" }),
                          /#{Regexp.escape(tried)}$/)
        expect_user_error(railsess("decode", "%%%--garbage", env: { "SECRET_KEY_BASE" => "x" }),
                          /tried the whole input as given;/)
      end
    end

    it "warns when the secret is given on the command line" do
      v = Vectors.of_kind("session").first.last
      _out, err, code = railsess("decode", v["set_cookie"], "--secret-key-base", v["config"]["secret_key_base"])
      expect(code).to eq(0)
      expect(err).to include("shell history")
    end
  end

  describe "encode" do
    let(:secret) { "e" * 128 }

    %w[5.1 6.1 7.0 8.1].each do |preset|
      it "makes a #{preset} cookie that decode (and the Rack middleware) read back" do
        value = { "user_id" => 7, "note" => "<ü>" }
        out, _err, code = railsess("encode", JSON.generate(value), "--preset", preset, "--key", "_myapp_session",
                                   env: { "SECRET_KEY_BASE" => secret })
        expect(code).to eq(0)
        cookie = out.chomp
        report = JSON.parse(railsess("decode", "_myapp_session=#{cookie}", env: { "SECRET_KEY_BASE" => secret }).first)
        purpose = Railsess::Presets.fetch(preset)[:use_cookies_with_metadata] ? "cookie._myapp_session" : nil
        expect(report).to include("value" => value, "purpose" => purpose)
        config = Railsess::CookieConfig.new(secret_key_base: secret, preset: preset)
        expect(config.encrypted.load("_myapp_session", CGI.unescape(cookie)).first).to eq(value)
      end
    end

    it "is read by ActiveSupport 6.1 as Rails' encrypted jar reads it", :active_support do
      out, = railsess("encode", '{"a":[1,"b"]}', "--preset", "6.1", "--key", "c", env: { "SECRET_KEY_BASE" => secret })
      key = ActiveSupport::KeyGenerator.new(secret, iterations: 1000).generate_key("authenticated encrypted cookie", 32)
      encryptor = ActiveSupport::MessageEncryptor.new(key, cipher: "aes-256-gcm",
                                                           serializer: ActiveSupport::MessageEncryptor::NullSerializer)
      plain = encryptor.decrypt_and_verify(CGI.unescape(out.chomp), purpose: "cookie.c")
      expect(JSON.parse(plain)).to eq("a" => [1, "b"])
    end

    it "prints a Set-Cookie line with the expiry, and refuses non-JSON" do
      out, = railsess("encode", "1", "--preset", "7.1", "--set-cookie", "--expires-in", "60", "--key", "_s_session",
                      env: { "SECRET_KEY_BASE" => secret })
      attributes = Regexp.escape(RackSpelling.cookie_attributes("; HttpOnly; SameSite=Lax"))
      expect(out).to match(%r{\ASet-Cookie: _s_session=[^;]+; path=/; expires=[^;]+#{attributes}\n\z})
      expect_user_error(railsess("encode", "{nope", "--preset", "7.1", env: { "SECRET_KEY_BASE" => secret }),
                        /not JSON/)
    end
  end

  describe "doctor", :active_support do
    it "boots a Rails app and prints its settings, the matching railsess line, and the traps" do
      # demo/www is a Devise app: Debian 12 has ruby-devise, Debian 13 has none.
      devise = Gem::Specification.find_all_by_name("devise")
      skip "demo/www needs the devise gem, which is not installed here" if devise.empty?

      out, _err, code = railsess("doctor", File.expand_path("../../demo/www", __dir__), "--host", "www.abc.io",
                                 env: { "DEMO_DB" => File.expand_path("../../tmp/doctor.sqlite3", __dir__) })
      expect(code).to eq(0)
      expect(out).to include("matching preset                        6.1")
      expect(out).to include('use Railsess::Session::CookieStore, preset: "6.1", ' \
                             'secret_key_base: ENV.fetch("SECRET_KEY_BASE"), key: "_myapp_session", domain: :all')
      expect(out).to include('domain :all on www.abc.io gives ".www.abc.io": more than the parent domain')
    end

    it "fails in one line outside a Rails app" do
      expect_user_error(railsess("doctor", Dir.tmpdir), /is not a Rails app/)
    end
  end

  %w[decode encode doctor].each do |command|
    it "explains #{command} with --help" do
      out, _err, code = railsess(command, "--help")
      expect(code).to eq(0)
      expect(out).to start_with("Usage: railsess #{command}")
    end
  end
end
