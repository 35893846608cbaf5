# frozen_string_literal: true

require "rack/test"
require "action_pack/version"

# One browser, two apps on sibling subdomains: a real Rails 6.1 stack on www.myapp.test
# (RailsStack: ActionDispatch::Cookies + Session::CookieStore + Flash + a controller with
# protect_from_forgery) and a Sinatra app on api.myapp.test behind Railsess::Session::CookieStore
# and Railsess::CSRF::Protection, both `domain: :all`. Rack::Test's cookie jar plays the browser.
# The Rails code that runs (Debian's 6.1, or another ActionPack put on the load path by
# bin/spec-newer-rails).
RAILS_EXCHANGE_VERSION = ActionPack::VERSION::STRING.split(".").first(2).join(".")

RSpec.describe "a Rails app and a Rack app sharing the session cookie", :active_support, kind: :integration do
  include Rack::Test::Methods

  let(:www) { "http://www.myapp.test" }
  let(:api) { "http://api.myapp.test" }
  let(:secret_key_base) { ("fedcba9876543210" * 8).freeze }

  # The settings a Rails app takes from `config.load_defaults` (and its cookies_serializer initializer).
  def preset_keys
    %i[iterations key_generator_hash_digest_class use_authenticated_cookie_encryption use_cookies_with_metadata
       cookies_serializer same_site per_form_csrf_tokens urlsafe_csrf_tokens forgery_protection_origin_check]
  end

  # Dispatches by host, like a reverse proxy in front of the two apps.
  def self.router(www, api)
    ->(env) { (env["HTTP_HOST"] || env["SERVER_NAME"]).to_s.start_with?("api.") ? api.call(env) : www.call(env) }
  end

  # The Rails stack configured as `config.load_defaults <preset>` + JSON cookies would configure it.
  def rails_app(preset, **overrides)
    settings = Railsess::Presets.fetch(preset).slice(*preset_keys)
    RailsStack.app(secret_key_base: secret_key_base, key: "_myapp_session", domain: :all, **settings, **overrides)
  end

  def rack_app(preset, **overrides)
    SinatraSide.app(preset: preset, rails_version: RAILS_EXCHANGE_VERSION, secret_key_base: secret_key_base,
                    key: "_myapp_session", domain: :all,
                    csrf: { preset: preset }, **overrides)
  end

  def json = JSON.parse(last_response.body)

  def post_json(url, hash)
    post url, JSON.generate(hash), "CONTENT_TYPE" => "application/json"
    expect(last_response.status).to eq(200), last_response.body[0, 300]
  end

  def session_on(host)
    get "#{host}/session"
    expect(last_response.status).to eq(200)
    json
  end

  # Rails 6.1's code runs the presets up to 7.0 (7.1+ differ in code, not settings: their bytes are
  # checked against the 7.1-8.1 vectors in spec/session/vectors_spec.rb). With a newer
  # ActionPack on the load path (RUBYLIB=<rails>/actionpack/lib:...), its presets run too.
  presets = Railsess::Presets::VERSIONS.select { |v| Gem::Version.new(v) <= Gem::Version.new(RAILS_EXCHANGE_VERSION) }
  (presets | %w[7.0]).each do |preset|
    context "with preset #{preset}" do
      let(:app) { self.class.router(rails_app(preset), rack_app(preset)) }

      it "shares the session both ways, with the same session_id" do
        post_json "#{www}/session", { "from_rails" => "www", "n" => 1 }
        rails_session = json
        expect(session_on(api)).to eq(rails_session)
        post_json "#{api}/session", { "from_rack" => [1, { "deep" => true }] }
        expect(session_on(www)).to eq(rails_session.merge("from_rack" => [1, { "deep" => true }]))
        expect(session_on(www)["session_id"]).to eq(rails_session["session_id"])
      end

      it "writes the session cookie with the domain Rails writes" do
        post_json "#{www}/session", { "a" => 1 }
        rails_cookie = last_response.headers["Set-Cookie"]
        post_json "#{api}/session", { "b" => 2 }
        rack_cookie = last_response.headers["Set-Cookie"]
        expect(rack_cookie[/; domain=[^;]+/]).to eq(rails_cookie[/; domain=[^;]+/])
        expect(rack_cookie.sub(/\A[^;]+/, "")).to eq(rails_cookie.sub(/\A[^;]+/, ""))
      end

      it "sees a Devise sign-in made on Rails, and signs out so that Rails sees it" do
        post_json "#{www}/sign_in", { "id" => 7, "salt" => "$2a$12$abcdefghijklmnopqrstuv", "scope" => "user" }
        get "#{api}/current_user"
        expect(json["user_key"]).to eq([7, "$2a$12$abcdefghijklmnopqrstuv"])
        remember = { "value" => [[7], "token", "1.0"], "permanent" => true, "domain" => "all" }
        post_json "#{www}/cookies/signed/remember_user_token", remember
        old_id = session_on(www)["session_id"]
        post "#{api}/sign_out"
        expect(last_response.status).to eq(422) # CSRF-protected, like Devise's sign-out
        post "#{api}/sign_out", authenticity_token: JSON.parse(get("#{api}/csrf").body)["global"]
        expect(last_response.status).to eq(200)
        get "#{www}/current_user"
        expect(json["key"]).to be_nil
        get "#{www}/cookies/signed/remember_user_token"
        expect(json["value"]).to be_nil # or Devise would sign the user straight back in
        expect(session_on(www)["session_id"]).not_to eq(old_id) # Devise resets the whole session
      end

      it "passes flash messages both ways, shown once" do
        get "#{www}/flash/set", key: "notice", value: "from rails"
        get "#{api}/flash"
        expect(json).to eq("notice" => "from rails")
        get "#{www}/flash"
        expect(json).to eq({})
        get "#{api}/flash/set", key: "alert", value: "from rack"
        get "#{www}/flash"
        expect(json).to eq("alert" => "from rack")
        get "#{api}/flash"
        expect(json).to eq({})
      end

      it "accepts CSRF tokens from either app in both apps, and rejects a missing or forged one" do
        tokens = JSON.parse(get("#{www}/csrf").body)
        rack_tokens = JSON.parse(get("#{api}/csrf").body)
        # The same session token (Rails 7.1+ stores it after the action, so read it back).
        expect(rack_tokens["session_token"]).to eq(session_on(www)["_csrf_token"])
        [tokens["global"], rack_tokens["global"]].each do |token|
          [www, api].each do |host|
            post "#{host}/protected", authenticity_token: token
            expect(last_response.status).to eq(200), "#{host} refused #{token}"
            delete "#{host}/protected", {}, "HTTP_X_CSRF_TOKEN" => token
            expect(last_response.status).to eq(200), "#{host} refused #{token} in the header"
          end
        end
        [tokens["per_form"], rack_tokens["per_form"]].each do |token|
          [www, api].each do |host|
            post "#{host}/protected", authenticity_token: token
            expect(last_response.status).to eq(200)
            delete "#{host}/protected", authenticity_token: token # a per-form token is for POST only
            expect(last_response.status).to eq(422)
          end
        end
        [www, api].each do |host|
          post "#{host}/protected"
          expect(last_response.status).to eq(422)
          post "#{host}/protected", authenticity_token: tokens["global"].reverse
          expect(last_response.status).to eq(422)
          post "#{host}/protected", { authenticity_token: tokens["global"] }, "HTTP_ORIGIN" => "http://evil.test"
          expect(last_response.status).to eq(422)
        end
      end

      it "reads the other app's signed and encrypted cookies (Devise remember-me) and writes its own" do
        remember = [[7], "remember-token", "1700000000.123"]
        post_json "#{www}/cookies/signed/remember_user_token",
                  { "value" => remember, "permanent" => true, "domain" => "all" }
        get "#{api}/cookies/signed/remember_user_token"
        expect(json["value"]).to eq(remember)
        get "#{api}/remember"
        expect(json["token"]).to eq([7, "remember-token", "1700000000.123"])
        post_json "#{api}/cookies/encrypted/prefs", { "value" => { "theme" => "dark" }, "expires_in" => 600,
                                                      "domain" => "all" }
        get "#{www}/cookies/encrypted/prefs"
        expect(json["value"]).to eq("theme" => "dark")
        post_json "#{api}/cookies/signed/visits", { "value" => 3, "domain" => "all" }
        get "#{www}/cookies/signed/visits"
        expect(json["value"]).to eq(3)
      end

      ["tampered", "garbage", "wrong secret"].each do |kind|
        it "treats a #{kind} session cookie as signed out, with no error on either side" do
          post_json "#{www}/sign_in", { "id" => 7, "salt" => "s", "scope" => "user" }
          value = rack_mock_session.cookie_jar["_myapp_session"]
          bad = case kind
                when "tampered" then value.sub(/\A.{4}/) { |s| s.reverse == s ? "AAAA" : s.reverse }
                when "garbage" then "not--a--cookie"
                else
                  other = SinatraSide.app(preset: preset, secret_key_base: secret_key_base.reverse,
                                          key: "_myapp_session")
                  response = Rack::MockRequest.new(other).post("#{api}/session", input: JSON.generate("id" => 7))
                  CGI.unescape(response["Set-Cookie"][/_myapp_session=([^;]+)/, 1])
                end
          clear_cookies
          [api, www].each do |host|
            get "#{host}/current_user", {}, "HTTP_COOKIE" => "_myapp_session=#{CGI.escape(bad)}"
            expect(last_response.status).to eq(200)
            expect(json["key"]).to be_nil
          end
        end
      end
    end
  end

  context "when the Rails app still uses CBC cookies (5.1) and the Rack app is on GCM (5.2)" do
    let(:app) { self.class.router(rails_app("5.1"), rack_app("5.2")) }

    it "reads Rails' CBC session and rewrites it as GCM, which Rails 5.1 settings still read" do
      post_json "#{www}/session", { "user" => "ann" }
      expect(session_on(api)["user"]).to eq("ann")
      expect(rack_mock_session.cookie_jar["_myapp_session"].split("--").length).to eq(3) # ct--iv--tag
      expect(session_on(www)["user"]).to eq("ann")
    end
  end

  context "when moving from a SHA1 to a SHA256 key derivation" do
    let(:sha1_rotation) do
      keys = ActiveSupport::KeyGenerator.new(secret_key_base, iterations: 1000)
      ActiveSupport::Messages::RotationConfiguration.new.tap do |config|
        config.rotate :encrypted, keys.generate_key("authenticated encrypted cookie", 32)
        config.rotate :signed, keys.generate_key("signed cookie")
      end
    end

    it "the Rack app reads SHA1 cookies with key_rotations; Rails reads the rewrite with cookies_rotations" do
      rails = { now: rails_app("6.1") } # the Rails app is redeployed mid-test
      rack = rack_app("7.0", key_rotations: [{ key_generator_hash_digest_class: OpenSSL::Digest::SHA1 }])
      self.class.define_method(:app) { self.class.router(->(env) { rails[:now].call(env) }, rack) }
      post_json "#{www}/session", { "user" => "ann" }
      sha1_cookie = rack_mock_session.cookie_jar["_myapp_session"]
      expect(session_on(api)["user"]).to eq("ann")
      expect(rack_mock_session.cookie_jar["_myapp_session"]).not_to eq(sha1_cookie) # rewritten
      rails[:now] = rails_app("7.0") # no rotation: the rewrite is SHA256-derived
      expect(session_on(www)["user"]).to eq("ann")
      rails[:now] = rails_app("7.0", cookies_rotations: sha1_rotation) # Rails' own way to read the old ones
      clear_cookies
      get "#{www}/session", {}, "HTTP_COOKIE" => "_myapp_session=#{CGI.escape(sha1_cookie)}"
      expect(json["user"]).to eq("ann")
    end
  end
end
