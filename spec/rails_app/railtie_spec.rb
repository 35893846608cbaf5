# frozen_string_literal: true

require "rack/test"
require_relative "app"

# The Railtie in a real Rails app (6.1 on Debian 12; 7.2, 8.0, 8.1 on Debian 13): the app's own cookie jars
# and cookie session store run on railsess, with the bytes Rails writes. Every example can switch
# railsess off and on between requests (Railsess.uninstall!/install!): the cookies must keep
# working across the switch.
RSpec.describe "a Rails app with the railsess Railtie", :active_support do
  include Rack::Test::Methods

  let(:app) { Rails.application }
  let(:host) { "http://www.myapp.test" }

  before(:all) do
    User.delete_all
    User.create!(email: "demo@myapp.test", password: "railsess-demo")
  end

  after { Railsess.install! }

  def json = JSON.parse(last_response.body)

  def railsess(on)
    on ? Railsess.install! : Railsess.uninstall!
  end

  def post_json(path, hash)
    post "#{host}#{path}", JSON.generate(hash), "CONTENT_TYPE" => "application/json"
    expect(last_response.status).to eq(200), last_response.body[0, 200]
  end

  def sign_in(email: "demo@myapp.test", password: "railsess-demo", remember: true)
    get "#{host}/users/sign_in"
    token = last_response.body[/name="authenticity_token" value="([^"]+)"/, 1]
    post "#{host}/users/sign_in", user: { email: email, password: password, remember_me: remember ? "1" : "0" },
                                  authenticity_token: token
  end

  def sign_out
    get "#{host}/form"
    delete "#{host}/users/sign_out", authenticity_token: json["token"]
  end

  it "builds the app's encrypted and signed jars with railsess' encryptor and verifier" do
    request = ActionDispatch::Request.new(Rack::MockRequest.env_for("#{host}/").merge(app.env_config))
    expect(request.cookie_jar.encrypted.instance_variable_get(:@encryptor)).to be_a(Railsess::MessageEncryptor)
    expect(request.cookie_jar.signed.instance_variable_get(:@verifier)).to be_a(Railsess::MessageVerifier)
    Railsess.uninstall!
    request = ActionDispatch::Request.new(Rack::MockRequest.env_for("#{host}/").merge(app.env_config))
    expect(request.cookie_jar.encrypted.instance_variable_get(:@encryptor)).to be_a(ActiveSupport::MessageEncryptor)
  end

  # The same request sequence; `switch` says whether railsess is on for each request.
  def run_sequence(switch)
    sequence_steps.each_with_index.map do |step, i|
      railsess(switch.call(i))
      step.call
      expect(last_response.status).to be < 400, "step #{i}: #{last_response.status} #{last_response.body[0, 200]}"
      last_response.body
    end
  end

  def sequence_steps
    [
      -> { post_json "/session", { "cart" => [1, 2], "note" => "<b>&" } },
      -> { sign_in },
      -> { visit "/who" },
      -> { visit "/flash/set", key: "notice", value: "from rails" },
      -> { visit "/flash" },
      -> { post_json "/cookies/signed/visits", { "value" => 3 } },
      -> { post_json "/cookies/encrypted/prefs", { "value" => { "theme" => "dark" }, "expires_in" => 600 } },
      -> { post_json "/cookies/signed/forever", { "value" => "x", "permanent" => true } },
      -> { visit "/cookies/signed/visits" },
      -> { visit "/cookies/encrypted/prefs" },
      -> { visit "/cookies/signed/forever" },
      -> { visit "/session" }
    ]
  end

  def visit(path, params = {}) = get("#{host}#{path}", params)

  {
    "on" => ->(_) { true }, "off" => ->(_) { false },
    "alternating" => lambda(&:even?), "alternating the other way" => lambda(&:odd?)
  }.each do |label, switch|
    it "runs a session, flash, cookie and Devise sequence with railsess #{label}" do
      bodies = run_sequence(switch)
      expect(JSON.parse(bodies[2])).to eq("email" => "demo@myapp.test")
      expect(JSON.parse(bodies[4])).to eq("notice" => "from rails")
      expect(JSON.parse(bodies[8])).to eq("value" => 3)
      expect(JSON.parse(bodies[9])).to eq("value" => { "theme" => "dark" })
      expect(JSON.parse(bodies[10])).to eq("value" => "x")
      session = JSON.parse(bodies[11])
      expect(session).to include("cart" => [1, 2], "note" => "<b>&")
      expect(session["warden.user.user.key"]).to eq([[User.first.id], User.first.authenticatable_salt])
    end
  end

  it "keeps identical session contents with railsess on and off" do
    contents = [true, false].map do |on|
      clear_cookies
      run_sequence(->(_) { on })
      session = json
      session.except("session_id", "_csrf_token")
    end
    expect(contents.first).to eq(contents.last)
  end

  it "signs in with Devise, remembers the user, and signs out (remember-me cookie gone)" do
    sign_in
    expect(rack_mock_session.cookie_jar["remember_user_token"]).not_to be_nil
    get "#{host}/who"
    expect(json["email"]).to eq("demo@myapp.test")
    sign_out
    get "#{host}/who"
    expect(json["email"]).to be_nil
    expect(rack_mock_session.cookie_jar["remember_user_token"].to_s).to eq("")
  end

  it "signs the user back in from the remember-me cookie after the session is lost" do
    sign_in
    remember = rack_mock_session.cookie_jar["remember_user_token"]
    clear_cookies
    Railsess.uninstall! # written by railsess, read by ActiveSupport
    get "#{host}/who", {}, "HTTP_COOKIE" => "remember_user_token=#{CGI.escape(remember)}"
    expect(json["email"]).to eq("demo@myapp.test")
    get "#{host}/who", {}, "HTTP_COOKIE" => "remember_user_token=#{CGI.escape(remember.reverse)}"
    expect(json["email"]).to be_nil
  end

  it "rejects a wrong password and a forged CSRF token" do
    sign_in(password: "wrong")
    get "#{host}/who"
    expect(json["email"]).to be_nil
    expect { post "#{host}/protected", authenticity_token: "forged" }
      .to raise_error(ActionController::InvalidAuthenticityToken)
    get "#{host}/form"
    post "#{host}/protected", authenticity_token: json["token"]
    expect(last_response.body).to eq("ok")
  end
end
