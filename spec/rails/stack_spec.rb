# frozen_string_literal: true

require "rack/test"
require_relative "../support/rails_stack"

# The Rails 6.1 harness of the cross specs, on its own: it must behave as a Rails app does.
RSpec.describe "RailsStack (a real Rails 6.1 middleware stack and controller)", :active_support, kind: :integration do
  include Rack::Test::Methods

  let(:stack_options) { {} }
  let(:app) { RailsStack.app(**stack_options) }
  let(:base) { "http://www.myapp.test" }

  def json
    expect(last_response.status).to eq(200), "#{last_response.status}: #{last_response.body[0, 300]}"
    JSON.parse(last_response.body)
  end

  def post_json(path, body)
    post "#{base}#{path}", JSON.generate(body), "CONTENT_TYPE" => "application/json"
  end

  def set_cookie_lines
    last_response.headers["Set-Cookie"].to_s.split("\n")
  end

  def session_cookie_line
    set_cookie_lines.find { |line| line.start_with?("_myapp_session=") }
  end

  # A Rack::Test session on another app (its own cookie jar).
  def browser(app)
    Rack::Test::Session.new(app)
  end

  def csrf_tokens(query = "")
    get "#{base}/csrf#{query}"
    json
  end

  describe "session" do
    it "keeps what a request writes for the next requests, under a stable session id" do
      get "#{base}/session"
      expect(json).to eq({})
      expect(last_response.headers["Set-Cookie"]).to be_nil # reading an absent session does not create it

      post_json "/session", { "user_id" => 42, "nested" => { "roles" => ["admin"], "n" => nil }, "ok" => true }
      written = json
      expect(written).to include("user_id" => 42, "nested" => { "roles" => ["admin"], "n" => nil }, "ok" => true)
      expect(written["session_id"]).to match(/\A\h{32}\z/)
      attributes = RackSpelling.cookie_attributes("; path=/; HttpOnly; SameSite=Lax").split("; ").drop(1)
      expect(session_cookie_line).to include(*attributes)

      get "#{base}/session"
      expect(json).to eq(written)

      post "#{base}/session/delete/user_id"
      expect(json).not_to have_key("user_id")
      get "#{base}/session"
      expect(json).to eq(written.except("user_id"))
    end

    it "deletes keys with dots in their name" do
      post_json "/session", { "warden.user.user.key" => [[1], "salt"], "other" => 1 }
      post "#{base}/session/delete/warden.user.user.key"
      expect(json.keys).to contain_exactly("session_id", "other")
    end

    it "starts a new, empty session on reset_session" do
      post_json "/session", { "a" => 1 }
      old_id = json["session_id"]
      post "#{base}/session/reset"
      expect(json).not_to have_key("a")
      get "#{base}/session"
      expect(json).not_to have_key("a")
      post_json "/session", { "b" => 2 }
      expect(json["session_id"]).not_to eq(old_id)
    end

    it "encrypts the session cookie (AES-256-GCM, three parts) and ignores one from another secret" do
      post_json "/session", { "secret" => "plain text marker" }
      value = CGI.unescape(session_cookie_line[/\A_myapp_session=([^;]*)/, 1])
      expect(value.split("--").size).to eq(3)
      expect(value).not_to include("plain text marker")

      other = browser(RailsStack.app(secret_key_base: "f" * 128))
      other.get "#{base}/session", {}, "HTTP_COOKIE" => "_myapp_session=#{CGI.escape(value)}"
      expect(JSON.parse(other.last_response.body)).to eq({})
    end

    context "with domain: :all" do
      let(:stack_options) { { domain: :all } }

      it "scopes the cookie to the host's registrable domain, shared by its subdomains" do
        post_json "/session", { "a" => 1 }
        expect(session_cookie_line).to include("; domain=#{RackSpelling.rails_all_domain('myapp.test')};")

        get "http://api.myapp.test/session"
        expect(json).to include("a" => 1)
        get "http://other.test/session"
        expect(json).to eq({})
      end

      it "leaves the domain out for an IP address, and honours tld_length" do
        post "http://127.0.0.1/session", '{"a":1}', "CONTENT_TYPE" => "application/json"
        expect(session_cookie_line).not_to include("domain=")

        lvh = browser(RailsStack.app(domain: :all, tld_length: 2))
        lvh.post "http://user1.lvh.me/session", '{"a":1}', "CONTENT_TYPE" => "application/json"
        expect(lvh.last_response.headers[RackSpelling.set_cookie_header])
          .to include("; domain=#{RackSpelling.rails_all_domain('lvh.me')};")
      end
    end

    it "writes no domain by default" do
      post_json "/session", { "a" => 1 }
      expect(session_cookie_line).not_to include("domain=")
    end

    it "applies expire_after, secure and same_site to the session cookie" do
      app = browser(RailsStack.app(expire_after: 3600, same_site: :strict))
      app.post "#{base}/session", '{"a":1}', "CONTENT_TYPE" => "application/json"
      line = app.last_response.headers["Set-Cookie"]
      expect(Time.httpdate(line[/expires=([^;]+)/, 1])).to be_within(60).of(Time.now + 3600)
      expect(line).to include(RackSpelling.cookie_attributes("; SameSite=Strict").delete_prefix("; "))

      secure = browser(RailsStack.app(secure: true))
      secure.post "#{base}/session", '{"a":1}', "CONTENT_TYPE" => "application/json"
      expect(secure.last_response.headers["Set-Cookie"]).to be_nil # no secure cookie over plain HTTP
      secure.post "https://www.myapp.test/session", '{"a":1}', "CONTENT_TYPE" => "application/json"
      expect(secure.last_response.headers["Set-Cookie"]).to include("; secure")
    end
  end

  describe "flash" do
    it "shows a flash on the next request that reads it, once" do
      get "#{base}/flash/set?key=notice&value=hello"
      expect(json).to eq({})
      get "#{base}/session"
      expect(json["flash"]).to eq("discard" => [], "flashes" => { "notice" => "hello" })

      get "#{base}/flash"
      expect(json).to eq("notice" => "hello")
      get "#{base}/flash"
      expect(json).to eq({})
      get "#{base}/session"
      expect(json).not_to have_key("flash")
    end
  end

  describe "CSRF protection" do
    it "rejects a POST without a token and accepts the global token as a param or header" do
      post "#{base}/protected"
      expect(last_response.status).to eq(422)

      tokens = csrf_tokens
      post "#{base}/protected", authenticity_token: tokens["global"]
      expect(last_response.status).to eq(200)
      expect(last_response.body).to eq("ok")

      header "X-CSRF-Token", tokens["global"]
      delete "#{base}/protected"
      expect(last_response.status).to eq(200)
    end

    it "accepts a per-form token for its own action and method only" do
      tokens = csrf_tokens
      post "#{base}/protected", authenticity_token: tokens["per_form"]
      expect(last_response.status).to eq(200)
      delete "#{base}/protected", authenticity_token: tokens["per_form"]
      expect(last_response.status).to eq(422)

      delete "#{base}/protected", authenticity_token: csrf_tokens("?form_method=delete")["per_form"]
      expect(last_response.status).to eq(200)
    end

    it "rejects a token from another session, a forged token and a foreign Origin" do
      token = csrf_tokens["global"]
      clear_cookies
      post "#{base}/protected", authenticity_token: token
      expect(last_response.status).to eq(422)

      post "#{base}/protected", authenticity_token: "A" * 86
      expect(last_response.status).to eq(422)

      token = csrf_tokens["global"]
      post "#{base}/protected", { authenticity_token: token }, "HTTP_ORIGIN" => "http://evil.test"
      expect(last_response.status).to eq(422)
      post "#{base}/protected", { authenticity_token: token }, "HTTP_ORIGIN" => base
      expect(last_response.status).to eq(200)
    end

    it "stores the session token in _csrf_token, url-safe or not per app" do
      tokens = csrf_tokens
      # Rails 6.1 calls SecureRandom.urlsafe_base64(32, padding: false), but `padding` is a positional
      # parameter there: the Hash is truthy, so the url-safe session token keeps its "="; 7.0+ do not pad.
      padding = ActionPack.gem_version < Gem::Version.new("7.0") ? "=" : ""
      expect(tokens["session_token"]).to match(/\A[A-Za-z0-9_-]{43}#{padding}\z/)
      get "#{base}/session"
      expect(json["_csrf_token"]).to eq(tokens["session_token"])
      expect(tokens["global"]).to match(/\A[A-Za-z0-9_-]{86}\z/)
    end

    it "stores strict base64 tokens in an app with urlsafe_csrf_tokens off" do
      skip "ActionController 7.1+ has only url-safe CSRF tokens" if ActionPack.gem_version >= Gem::Version.new("7.1")

      classic = browser(RailsStack.app(urlsafe_csrf_tokens: false, per_form_csrf_tokens: false))
      classic.get "#{base}/csrf"
      classic_tokens = JSON.parse(classic.last_response.body)
      expect(classic_tokens["session_token"]).to match(%r{\A[A-Za-z0-9+/]{43}=\z})
      expect(classic_tokens["global"]).to match(%r{\A[A-Za-z0-9+/]{86}==\z})
      classic.post "#{base}/protected", authenticity_token: classic_tokens["per_form"]
      expect(classic.last_response.status).to eq(200) # without per-form tokens, "per_form" is a global one
    end
  end

  describe "cookie jars" do
    %w[signed encrypted].each do |jar|
      it "round-trips a #{jar} cookie, which the other jar does not read" do
        post_json "/cookies/#{jar}/remember", { "value" => { "id" => 5, "t" => "tok" } }
        expect(json).to eq({})
        line = set_cookie_lines.find { |l| l.start_with?("remember=") }
        expect(line).not_to include("expires=")
        expect(CGI.unescape(line)).not_to include("tok") if jar == "encrypted"

        get "#{base}/cookies/#{jar}/remember"
        expect(json).to eq("value" => { "id" => 5, "t" => "tok" })
        other = jar == "signed" ? "encrypted" : "signed"
        get "#{base}/cookies/#{other}/remember"
        expect(json).to eq("value" => nil)
      end
    end

    it "writes expiring and permanent cookies, and plain ones" do
      post_json "/cookies/encrypted/short", { "value" => "v", "expires_in" => 120 }
      expires = Time.httpdate(set_cookie_lines.first[/expires=([^;]+)/, 1])
      expect(expires).to be_within(30).of(Time.now + 120)
      get "#{base}/cookies/encrypted/short"
      expect(json).to eq("value" => "v")

      post_json "/cookies/signed/forever", { "value" => 1, "permanent" => true }
      expires = Time.httpdate(set_cookie_lines.first[/expires=([^;]+)/, 1])
      expect(expires.year).to be >= Time.now.year + 19

      post_json "/cookies/plain/user.name", { "value" => "david" }
      expect(set_cookie_lines.first)
        .to start_with(RackSpelling.cookie_attributes("user.name=david; path=/; SameSite=Lax"))
      get "#{base}/cookies/plain/user.name"
      expect(json).to eq("value" => "david")
    end
  end

  describe "sign in" do
    it "stores the Warden key, drops the CSRF token and renews the session id, as Devise does" do
      csrf_tokens
      get "#{base}/session"
      before = json
      expect(before).to have_key("_csrf_token")

      post_json "/sign_in", { "id" => 1, "salt" => "abc", "scope" => "user" }
      after = json
      expect(after["warden.user.user.key"]).to eq([[1], "abc"])
      expect(after).not_to have_key("_csrf_token")

      get "#{base}/session"
      expect(json["session_id"]).not_to eq(before["session_id"])
      get "#{base}/current_user"
      expect(json).to eq("key" => [[1], "abc"])
    end
  end

  describe "faithfulness to the Rails 6.1 vectors" do
    vectors = JSON.parse(File.read(File.expand_path("../fixtures/vectors/rails-6.1.json", __dir__)))["vectors"]
    vectors.select { |v| v["kind"] == "session" }.each do |vector|
      it "reads the session cookie real Rails wrote with preset #{vector['preset']}" do
        config = vector["config"]
        salts = config["salts"].transform_keys(&:to_sym)
        app = RailsStack.app(
          secret_key_base: config["secret_key_base"], iterations: config["iterations"],
          key_generator_hash_digest_class: config["key_generator_hash_digest_class"],
          use_authenticated_cookie_encryption: config["use_authenticated_cookie_encryption"],
          use_cookies_with_metadata: config["use_cookies_with_metadata"],
          cookies_serializer: config["cookies_serializer"].to_sym, cookies_digest: config["cookies_digest"],
          signed_cookie_digest: config["signed_cookie_digest"], key: vector["key"],
          domain: vector["domain_option"]&.to_sym, **salts
        )
        rails = browser(app)
        rails.get "http://#{vector['host']}/session", {}, "HTTP_COOKIE" => "#{vector['key']}=#{vector['cookie_value']}"
        expect(rails.last_response.status).to eq(200)
        expect(JSON.parse(rails.last_response.body)).to eq(vector["expect"]["session"])
      end
    end
  end
end
