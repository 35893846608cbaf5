# frozen_string_literal: true

require "json"

# The Rack side of the exchange specs: a Sinatra app behind Railsess::Session::CookieStore and
# Railsess::CSRF::Protection, configured the way the README tells users to, with the same routes
# as RailsStack where both sides have them. Sinatra's own sessions stay off: the session is Rails'.
#
#   app = SinatraSide.app(preset: "6.1", secret_key_base: "...", key: "_myapp_session", domain: :all)
module SinatraSide
  module_function

  # Like RailsStack, the JSON test helpers (POST /session, /cookies) skip the CSRF check.
  UNPROTECTED = %r{\A/(session|cookies)(/|\z)}

  def app(csrf: {}, store: nil, **options)
    require "sinatra/base"
    require "railsess"
    klass = Class.new(Sinatra::Base) { include Routes }
    klass.class_eval(&ROUTES)
    store ||= Railsess::Session::CookieStore
    Rack::Builder.new do
      use store, **options
      use Railsess::CSRF::Protection, skip_if: ->(env) { UNPROTECTED.match?(env["PATH_INFO"]) }, **csrf
      run klass
    end
  end

  # Helpers used by the routes.
  module Routes
    def json(value)
      content_type :json
      JSON.generate(value)
    end

    # Rack 3 does not rewind the body after parsing a form (Rack 2.2 did), nor need its input be
    # rewindable (Rack::Lint's is not): read it from the start when it can be.
    def body_json
      body = request.body
      body.rewind if body.respond_to?(:rewind)
      JSON.parse(body.read)
    end

    def cookies = Railsess::CookieJar.for(env)
    def warden = Railsess::Warden.new(env, scope: :user)
    def flash = Railsess::Flash.for(env)
  end

  ROUTES = proc do
    set :protection, false # rack-protection's checks are not Rails'; Railsess::CSRF::Protection runs
    set :show_exceptions, false
    set :raise_errors, true

    get("/session") { json(session.to_hash) }
    post("/session") do
      body_json.each { |k, v| session[k] = v }
      json(session.to_hash)
    end
    get("/flash/set") do
      flash[params["key"]] = params["value"]
      json({})
    end
    get("/flash") { json(flash.to_hash) }
    get("/csrf") do
      json("global" => Railsess::CSRF.token_for(env),
           "per_form" => Railsess::CSRF.token_for(env, path: "/protected", method: "post"),
           "session_token" => session["_csrf_token"])
    end
    post("/protected") { "ok" }
    delete("/protected") { "ok" }
    get("/current_user") { json("key" => session["warden.user.user.key"], "user_key" => warden.user_key) }
    get("/remember") { json("token" => warden.remember_token.to_a) }
    post("/sign_out") do
      warden.sign_out
      json(session.to_hash)
    end
    get("/cookies/:jar/:name") do
      jar = params["jar"] == "plain" ? cookies : cookies.public_send(params["jar"])
      json("value" => jar[params["name"]])
    end
    post("/cookies/:jar/:name") do
      data = body_json
      jar = data["permanent"] ? cookies.permanent : cookies
      jar = jar.public_send(params["jar"]) unless params["jar"] == "plain"
      expires = data["expires_in"] && (Time.now + data["expires_in"])
      domain = data["domain"] == "all" ? :all : data["domain"]
      jar[params["name"]] = { value: data["value"], expires: expires, domain: domain }.compact
      json({})
    end
  end
end
