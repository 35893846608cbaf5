# frozen_string_literal: true

require "rack/lint"
require "rack/test"

# Rack::Lint (the loaded Rack's: 2.2 or 3.x) on both sides of railsess' middlewares, in the Sinatra app
# the exchange specs use (session, flash, CSRF, Warden helpers, cookie jars) and in a bare Rack app.
RSpec.describe "railsess' middlewares under Rack::Lint", kind: :integration do
  include Rack::Test::Methods

  # Sinatra 4.1's host authorization lets *.test through in development (rack-test's example.org not).
  def host = "http://api.myapp.test"

  def json = JSON.parse(last_response.body)

  def set_cookie_values
    value = last_response.headers[RackSpelling.set_cookie_header]
    value.is_a?(Array) ? value : value.to_s.split("\n")
  end

  shared_examples "a Lint-clean session stack" do
    it "signs in, sets a flash, prints and checks CSRF tokens, writes cookies and signs out under Lint" do
      post "#{host}/session", JSON.generate("warden.user.user.key" => [[7], "salt"], "n" => 1),
           "CONTENT_TYPE" => "application/json"
      expect(last_response.status).to eq(200)
      get "#{host}/flash/set?key=notice&value=hi"
      get "#{host}/flash"
      expect(json).to eq("notice" => "hi")
      get "#{host}/csrf"
      token = json["per_form"]
      global = json["global"]
      post "#{host}/protected", authenticity_token: token
      expect(last_response.body).to eq("ok")
      post "#{host}/protected", authenticity_token: "forged"
      expect(last_response.status).to eq(422)
      post "#{host}/cookies/encrypted/pref", JSON.generate("value" => "dark"), "CONTENT_TYPE" => "application/json"
      post "#{host}/cookies/signed/other", JSON.generate("value" => 1, "permanent" => true),
           "CONTENT_TYPE" => "application/json"
      get "#{host}/cookies/encrypted/pref"
      expect(json).to eq("value" => "dark")
      get "#{host}/current_user"
      expect(json["key"]).to eq([[7], "salt"])
      post "#{host}/sign_out", authenticity_token: global
      expect(last_response.status).to eq(200)
      get "#{host}/current_user"
      expect(json["key"]).to be_nil
    end
  end

  # SinatraSide's stack with Rack::Lint around every layer.
  def sinatra_stack(store, **options)
    require "sinatra/base"
    klass = Class.new(Sinatra::Base) { include SinatraSide::Routes }
    klass.class_eval(&SinatraSide::ROUTES)
    skip_if = ->(env) { SinatraSide::UNPROTECTED.match?(env["PATH_INFO"]) }
    Rack::Builder.new do
      use Rack::Lint
      use store, **options
      use Rack::Lint
      use Railsess::CSRF::Protection, skip_if: skip_if
      use Rack::Lint
      run klass
    end
  end

  context "in a bare Rack app" do
    let(:app) do
      inner = lambda do |env|
        session = env["rack.session"]
        session["n"] = (session["n"] || 0) + 1
        cookies = Railsess::CookieJar.for(env)
        cookies.encrypted["pref"] = "dark"
        cookies["plain"] = session["n"].to_s
        Railsess::Flash.for(env)["notice"] = "visit #{session['n']}"
        [200, { "content-type" => "text/plain" }, [session["n"].to_s]]
      end
      Rack::Builder.new do
        use Rack::Lint
        use Railsess::Session::CookieStore, preset: "7.1", secret_key_base: "x" * 64, key: "_app_session"
        use Rack::Lint
        run inner
      end
    end

    it "writes the session and the jar's cookies as several Set-Cookie values the way the loaded Rack wants" do
      get "#{host}/"
      header = last_response.headers[RackSpelling.set_cookie_header]
      # Rack 2.2: one String, lines joined by "\n"; Rack 3: an Array of Strings (Lint checks the rest).
      expect(header).to be_a(RackSpelling.rack2? ? String : Array)
      expect(set_cookie_values.map { |line| line[/\A[^=]+/] }).to contain_exactly("_app_session", "pref", "plain")
      get "#{host}/"
      expect(last_response.body).to eq("2")
      expect(rack_mock_session.cookie_jar["plain"]).to eq("2")
    end
  end

  context "with Session::CookieStore in a Sinatra app" do
    let(:app) do
      sinatra_stack(Railsess::Session::CookieStore, preset: "7.1", secret_key_base: "x" * 64, key: "_app_session")
    end

    include_examples "a Lint-clean session stack"
  end

  context "with Session::RedisStore in a Sinatra app", :redis do
    let(:app) do
      sinatra_stack(Railsess::Session::RedisStore, preset: "7.1", secret_key_base: "x" * 64, key: "_app_session",
                                                   redis: { url: RedisServer.url })
    end

    include_examples "a Lint-clean session stack"
  end
end
