# frozen_string_literal: true

require "rack/test"
require "railsess/session/cookie_store"

# Railsess::Session::CookieStore as a Rack app sees it (the exchange with a real Rails stack is in
# cookie_exchange_spec.rb).

RSpec.describe Railsess::Session::CookieStore, kind: :integration do
  include Rack::Test::Methods

  let(:secret) { ("0123456789abcdef" * 8).freeze }
  let(:host) { "http://www.myapp.test" }

  def build(**options)
    options = { secret_key_base: secret, key: "_myapp_session" }.merge(options)
    Rack::Builder.new do
      use Railsess::Session::CookieStore, **options
      run SessionEndpoint
    end
  end

  let(:options) { { preset: "7.1" } }
  let(:app) { build(**options) }

  def session_json = JSON.parse(last_response.body)
  def set_cookie = last_response.headers["Set-Cookie"]

  def post_json(path, hash, to: host)
    post "#{to}#{path}", JSON.generate(hash), "CONTENT_TYPE" => "application/json"
  end

  it "keeps the session across requests with a Rails-style session_id" do
    post_json "/set", { "user" => "ann" }
    id = session_json["session_id"]
    expect(id).to match(/\A\h{32}\z/)
    get "#{host}/"
    expect(session_json).to eq("session_id" => id, "user" => "ann")
  end

  it "does not rewrite a session that was read but not changed" do
    post_json "/set", { "user" => "ann" }
    expect(set_cookie).to include("_myapp_session=")
    get "#{host}/"
    expect(set_cookie).to be_nil
  end

  it "does not rewrite an unchanged session holding false, null and nested values" do
    post_json "/set", { "off" => false, "none" => [nil, false, 0.5], "deep" => { "a" => [{}] } }
    get "#{host}/"
    expect(session_json["none"]).to eq([nil, false, 0.5])
    expect(set_cookie).to be_nil
  end

  it "rewrites after an in-place change of a nested value" do
    get "#{host}/cart"
    get "#{host}/cart"
    expect(set_cookie).to include("_myapp_session=")
    get "#{host}/"
    expect(session_json["cart"]).to eq([1, 1])
  end

  it "rolls the expiry on every request with expire_after" do
    options[:expire_after] = 3600
    post_json "/set", { "user" => "ann" }
    get "#{host}/"
    expect(set_cookie).to match(/expires=/)
  end

  it "gives a new id on renew, keeping the data (session fixation)" do
    post_json "/set", { "user" => "ann" }
    old_id = session_json["session_id"]
    get "#{host}/renew"
    get "#{host}/"
    expect(session_json["session_id"]).not_to eq(old_id)
    expect(session_json["user"]).to eq("ann")
  end

  it "clears the data and the id on destroy" do
    post_json "/set", { "user" => "ann" }
    old_id = session_json["session_id"]
    get "#{host}/reset"
    get "#{host}/"
    expect(session_json.keys).to eq(["session_id"])
    expect(session_json["session_id"]).not_to eq(old_id)
  end

  ["garbage", "x--y--z", "%00%01", "", "a" * 5000].each do |bad|
    it "treats the cookie #{bad[0, 12].inspect} as an empty session" do
      set_cookie_header = "_myapp_session=#{bad}"
      get "#{host}/", {}, "HTTP_COOKIE" => set_cookie_header
      expect(last_response.status).to eq(200)
      expect(session_json).to eq({}) # not loaded: no id yet, as in Rails
      get "#{host}/cart", {}, "HTTP_COOKIE" => set_cookie_header
      expect(session_json.keys).to eq(%w[session_id cart])
    end
  end

  it "treats a cookie written with another secret or tampered with as an empty session" do
    other = build(preset: "7.1", secret_key_base: secret.reverse)
    cookie = Rack::MockRequest.new(other).post("#{host}/set", input: '{"user":"eve"}')["Set-Cookie"][/=([^;]+)/, 1]
    get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{cookie}"
    expect(session_json).to eq({})
    tampered = cookie.sub(/\A./) { |c| c == "A" ? "B" : "A" }
    get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{tampered}"
    expect(session_json).to eq({})
  end

  it "raises CookieOverflow like Rails over 4096 bytes" do
    expect { get "#{host}/big" }.to raise_error(Railsess::CookieOverflow, /_myapp_session cookie overflowed/)
  end

  it "skips the write of an oversized session when asked" do
    options[:on_cookie_overflow] = :skip
    errors = StringIO.new
    get "#{host}/big", {}, "rack.errors" => errors
    expect(last_response.status).to eq(200)
    expect(set_cookie).to be_nil
    expect(errors.string).to include("over 4096 bytes")
  end

  it "does not send a secure cookie over plain HTTP" do
    options[:secure] = true
    post_json "/set", { "user" => "ann" }
    expect(set_cookie).to be_nil
    post_json "/set", { "user" => "ann" }, to: "https://www.myapp.test"
    expect(set_cookie).to match(/; secure/i)
  end

  {
    "8.1" => "domain=myapp.test", "7.1" => "domain=myapp.test", "7.0" => "domain=.myapp.test",
    "6.1" => "domain=.myapp.test", "5.1" => "domain=.myapp.test"
  }.each do |preset, domain|
    it "writes domain :all as Rails #{preset} does" do
      options.merge!(preset: preset, rails_version: nil, domain: :all).compact!
      options.delete(:rails_version)
      post_json "/set", { "user" => "ann" }
      expect(set_cookie).to include("; #{domain};")
    end
  end

  it "honours tld_length with domain :all" do
    options.merge!(domain: :all, tld_length: 3)
    post_json "/set", { "user" => "ann" }, to: "http://www.a.myapp.test"
    expect(set_cookie).to include("; domain=a.myapp.test;")
  end

  it "commits the flash: set on one request, shown on the next, then gone" do
    get "#{host}/flash"
    get "#{host}/show_flash"
    expect(JSON.parse(last_response.body)).to eq("notice" => "saved")
    get "#{host}/show_flash"
    expect(JSON.parse(last_response.body)).to eq({})
  end

  it "commits signed cookies set through the request's cookie jar" do
    get "#{host}/remember"
    expect(set_cookie).to match(/remember=.*expires=/m)
    get "#{host}/remembered"
    expect(JSON.parse(last_response.body)).to eq([[1], "t", "1.0"])
  end

  describe "rotation" do
    def cookie_from(app, body)
      response = Rack::MockRequest.new(app).post("#{host}/set", input: JSON.generate(body))
      response["Set-Cookie"][/_myapp_session=([^;]+)/, 1]
    end

    it "reads a SHA1-derived cookie with key_rotations and rewrites it with SHA256" do
      old = build(preset: "7.1", key_generator_hash_digest_class: OpenSSL::Digest::SHA1)
      options[:key_rotations] = [{ key_generator_hash_digest_class: OpenSSL::Digest::SHA1 }]
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{cookie_from(old, 'user' => 'ann')}"
      expect(session_json["user"]).to eq("ann")
      rewritten = set_cookie[/_myapp_session=([^;]+)/, 1]
      expect(rewritten).not_to be_nil
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{rewritten}"
      expect(session_json["user"]).to eq("ann")
      expect(Rack::MockRequest.new(build(preset: "7.1")).get("#{host}/",
                                                             "HTTP_COOKIE" => "_myapp_session=#{rewritten}").body)
        .to include("ann")
    end

    it "without the rotation, a SHA1-derived cookie is an empty session" do
      old = build(preset: "7.1", key_generator_hash_digest_class: OpenSSL::Digest::SHA1)
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{cookie_from(old, 'user' => 'ann')}"
      expect(session_json).to eq({})
    end

    it "upgrades a CBC (5.1) cookie to GCM when GCM is on" do
      options[:preset] = "6.1"
      cbc = cookie_from(build(preset: "5.1"), "user" => "ann")
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{cbc}"
      expect(session_json["user"]).to eq("ann")
      gcm = CGI.unescape(set_cookie[/_myapp_session=([^;]+)/, 1])
      expect(gcm.split("--").length).to eq(3) # b64(ct)--b64(iv)--b64(tag)
      expect(Rack::MockRequest.new(build(preset: "5.1")).get("#{host}/",
                                                             "HTTP_COOKIE" => "_myapp_session=#{CGI.escape(gcm)}").body)
        .to include("ann") # Rails' prepare_upgrade_legacy_hmac_aes_cbc_cookies: CBC apps read GCM
    end

    it "reads a Marshal cookie with the hybrid serializer and rewrites it as JSON" do
      marshal = cookie_from(build(preset: "7.1", cookies_serializer: :marshal), "user" => "ann")
      options[:cookies_serializer] = :hybrid
      get "#{host}/", {}, "HTTP_COOKIE" => "_myapp_session=#{marshal}"
      expect(session_json["user"]).to eq("ann")
      json_cookie = set_cookie[/_myapp_session=([^;]+)/, 1]
      json_only = Rack::MockRequest.new(build(preset: "7.1"))
      expect(json_only.get("#{host}/", "HTTP_COOKIE" => "_myapp_session=#{json_cookie}").body).to include("ann")
      expect(json_only.get("#{host}/", "HTTP_COOKIE" => "_myapp_session=#{marshal}").body).not_to include("ann")
    end
  end
end
