# frozen_string_literal: true

require "json"
require "openssl"

# A real Rails 6.1 stack without railties: ActionDispatch's own cookie, session and flash middleware
# in front of an ActionDispatch::Routing::RouteSet and an ActionController::Base controller, with the
# `action_dispatch.*` env keys a Rails::Application injects (Rails::Application#env_config). The
# cross specs exchange cookies between it and a plain Rack app through Rack::Test.
#
#   app = RailsStack.app(secret_key_base: "...", key: "_myapp_session", domain: :all)
#
# spec_helper requires every support file, also for the suite without ActiveSupport
# (RAILSESS_WITHOUT_ACTIVE_SUPPORT=1): nothing from Rails is loaded until the first
# RailsStack.app / RailsStack.env_config / RailsStack.load! call.
module RailsStack
  DEFAULT_SECRET_KEY_BASE = ("0123456789abcdef" * 8).freeze

  # Rails::Application#env_config's cookie settings, with the defaults of a Rails 6.1 app
  # (load_defaults 6.1) that serializes cookies as JSON (or as RAILSESS_COOKIES_SERIALIZER says:
  # spec/rails_app's runs with message_pack).
  ENV_DEFAULTS = {
    secret_key_base: DEFAULT_SECRET_KEY_BASE,
    iterations: 1000,
    key_generator_hash_digest_class: OpenSSL::Digest::SHA1,
    use_authenticated_cookie_encryption: true,
    encrypted_cookie_cipher: nil,
    use_cookies_with_metadata: true,
    cookies_serializer: ENV.fetch("RAILSESS_COOKIES_SERIALIZER", "json").to_sym,
    cookies_digest: nil,
    signed_cookie_digest: nil,
    signed_cookie_salt: "signed cookie",
    encrypted_cookie_salt: "encrypted cookie",
    encrypted_signed_cookie_salt: "signed encrypted cookie",
    authenticated_encrypted_cookie_salt: "authenticated encrypted cookie",
    cookies_rotations: nil,
    same_site: :lax
  }.freeze

  # ActionDispatch::Session::CookieStore options (`same_site` is shared with the env above).
  # `session_store:` picks the middleware: ActionDispatch::Session::CookieStore (default), or
  # CacheStore with `cache:` (e.g. an ActiveSupport::Cache::RedisCacheStore), or any other store class
  # (e.g. ActionDispatch::Session::RailsessRedisStore with its own options in `store_options:`).
  SESSION_DEFAULTS = {
    key: "_myapp_session", domain: nil, tld_length: nil, expire_after: nil, secure: false,
    session_store: nil, cache: nil, store_options: nil
  }.freeze

  # The controller's request forgery protection settings (config.action_controller.*).
  CSRF_DEFAULTS = {
    per_form_csrf_tokens: true, urlsafe_csrf_tokens: true, forgery_protection_origin_check: true
  }.freeze

  # Options copied as they are into the env, by the name of their ActionDispatch::Cookies constant.
  PLAIN_ENV_OPTIONS = {
    signed_cookie_salt: :SIGNED_COOKIE_SALT,
    encrypted_cookie_salt: :ENCRYPTED_COOKIE_SALT,
    encrypted_signed_cookie_salt: :ENCRYPTED_SIGNED_COOKIE_SALT,
    authenticated_encrypted_cookie_salt: :AUTHENTICATED_ENCRYPTED_COOKIE_SALT,
    use_authenticated_cookie_encryption: :USE_AUTHENTICATED_COOKIE_ENCRYPTION,
    encrypted_cookie_cipher: :ENCRYPTED_COOKIE_CIPHER,
    signed_cookie_digest: :SIGNED_COOKIE_DIGEST,
    cookies_digest: :COOKIES_DIGEST,
    use_cookies_with_metadata: :USE_COOKIES_WITH_METADATA,
    secret_key_base: :SECRET_KEY_BASE
  }.freeze

  # The KeyGenerator of ActiveSupport 7.0+ (`hash_digest_class:`), which 6.1 lacks: PBKDF2-HMAC with
  # any digest, the same OpenSSL call.
  class Pbkdf2KeyGenerator
    def initialize(secret, iterations:, hash_digest_class:)
      @secret = secret
      @iterations = iterations
      @hash_digest_class = hash_digest_class
    end

    def generate_key(salt, key_size = 64)
      OpenSSL::PKCS5.pbkdf2_hmac(@secret, salt, @iterations, key_size, @hash_digest_class.new)
    end
  end

  # Merges the application's env config into every request, as Rails::Engine#build_request does.
  class EnvConfig
    def initialize(app, config, routes)
      @app = app
      @config = config
      @routes = routes
    end

    def call(env)
      env.merge!(@config)
      env["action_dispatch.routes"] = @routes
      @app.call(env)
    end
  end

  # The actions, included into RailsStack::TestController (an ActionController::Base) by `load!`.
  # Plain Ruby here so that this file loads without Rails.
  module Actions
    UNPROTECTED = %i[
      update_session reset_session_action delete_session_key write_cookie sign_in
    ].freeze

    def self.included(controller)
      controller.protect_from_forgery with: :exception
      controller.skip_forgery_protection only: UNPROTECTED
      controller.rescue_from(ActionController::InvalidAuthenticityToken) { head 422 }
    end

    # GET /session
    def show_session
      render json: session.to_hash
    end

    # POST /session, JSON body: a Hash merged into the session.
    def update_session
      json_body.each { |key, value| session[key] = value }
      render json: session.to_hash
    end

    # POST /session/reset
    def reset_session_action
      reset_session
      render json: session.to_hash
    end

    # POST /session/delete/:name
    def delete_session_key
      session.delete(params[:name])
      render json: session.to_hash
    end

    # GET /flash/set?key=notice&value=hello
    def set_flash
      flash[params[:key]] = params[:value]
      render json: {}
    end

    # GET /flash: reading the flash marks it for discarding at the end of the request, as in Rails.
    def show_flash
      render json: flash.to_hash
    end

    # GET /csrf[?form_action=/protected&form_method=post]: the global and a per-form token.
    def csrf
      form = { action: params[:form_action] || "/protected", method: params[:form_method] || "post" }
      global = form_authenticity_token
      per_form = form_authenticity_token(form_options: form)
      # 7.1+ store a new session token when the session is committed; store it now to report it.
      commit_csrf_token(request) if respond_to?(:commit_csrf_token)
      render json: { global: global, per_form: per_form, session_token: session[:_csrf_token] }
    end

    # POST and DELETE /protected
    def protected_action
      render plain: "ok"
    end

    # GET /cookies/:jar/:name
    def read_cookie
      render json: { value: cookie_jar[params[:name]] }
    end

    # POST /cookies/:jar/:name, JSON body {"value": ..., "expires_in": seconds | null, "permanent": bool}
    def write_cookie
      body = json_body
      # Always { value: ... }: a bare Hash would be taken for the cookie's options.
      cookie = { value: body["value"] }
      cookie[:expires] = body["expires_in"].seconds if body["expires_in"]
      cookie[:domain] = body["domain"] == "all" ? :all : body["domain"] if body["domain"]
      cookie_jar(permanent: body["permanent"])[params[:name]] = cookie
      render json: {}
    end

    # POST /sign_in, JSON body {"id": 1, "salt": "abc", "scope": "user"}: what Devise's sign_in does to
    # the session (devise/controllers/sign_in_out.rb, warden/proxy.rb#set_user,
    # devise/hooks/csrf_cleaner.rb).
    def sign_in
      body = json_body
      session.keys.grep(/\Adevise\./).each { |key| session.delete(key) } # expire_data_after_sign_in!
      request.session_options[:renew] = true # Warden::Proxy#set_user: a new session id
      session["warden.user.#{body.fetch('scope', 'user')}.key"] = [[body.fetch("id")], body.fetch("salt")]
      session.delete(:_csrf_token) # Devise.clean_up_csrf_token_on_authentication
      render json: session.to_hash
    end

    # GET /current_user[?scope=user]
    def current_user
      render json: { key: session["warden.user.#{params[:scope] || 'user'}.key"] }
    end

    private

    def json_body
      raw = request.raw_post
      raw.nil? || raw.empty? ? {} : JSON.parse(raw)
    end

    def cookie_jar(permanent: false)
      jar = permanent ? cookies.permanent : cookies
      case params[:jar]
      when "plain" then jar
      when "signed" then jar.signed
      when "encrypted" then jar.encrypted
      else raise ArgumentError, "unknown cookie jar #{params[:jar].inspect}"
      end
    end
  end

  module_function

  # The Rack app: env config -> ActionDispatch::Cookies -> ActionDispatch::Session::CookieStore ->
  # ActionDispatch::Flash -> routes. No ShowExceptions/DebugExceptions: errors raise in the spec.
  def app(**options)
    load!
    check_options!(options, ENV_DEFAULTS.keys + SESSION_DEFAULTS.keys + CSRF_DEFAULTS.keys)
    env_options = ENV_DEFAULTS.merge(options.slice(*ENV_DEFAULTS.keys))
    session = session_options(SESSION_DEFAULTS.merge(options.slice(*SESSION_DEFAULTS.keys)), env_options[:same_site])
    routes = routes_for(controller(**CSRF_DEFAULTS.merge(options.slice(*CSRF_DEFAULTS.keys))))
    stack = ActionDispatch::MiddlewareStack.new
    stack.use ActionDispatch::Cookies
    stack.use(*session_middleware(session))
    stack.use ActionDispatch::Flash
    EnvConfig.new(stack.build(routes), env_config(**env_options), routes)
  end

  # The `action_dispatch.*` keys Rails::Application#env_config sets (railties 6.1), for these settings.
  def env_config(**options)
    load!
    check_options!(options, ENV_DEFAULTS.keys)
    o = ENV_DEFAULTS.merge(options)
    same_site = o[:same_site]
    cookies = ActionDispatch::Cookies
    config = PLAIN_ENV_OPTIONS.to_h { |option, const| [cookies.const_get(const), o[option]] }
    config.merge(
      "action_dispatch.parameter_filter" => [],
      "action_dispatch.redirect_filter" => [],
      "action_dispatch.show_exceptions" => false,
      "action_dispatch.show_detailed_exceptions" => true,
      "action_dispatch.http_auth_salt" => "http authentication",
      cookies::GENERATOR_KEY => key_generator(o[:secret_key_base], o[:iterations], o[:key_generator_hash_digest_class]),
      cookies::COOKIES_SERIALIZER => o[:cookies_serializer]&.to_sym,
      cookies::COOKIES_ROTATIONS => o[:cookies_rotations] || ActiveSupport::Messages::RotationConfiguration.new,
      # Rails::Application#coerce_same_site_protection
      cookies::COOKIES_SAME_SITE_PROTECTION => same_site.respond_to?(:call) ? same_site : proc { same_site }
    )
  end

  def check_options!(options, known)
    unknown = options.keys - known
    raise ArgumentError, "unknown RailsStack option(s): #{unknown.join(', ')}" unless unknown.empty?
  end

  # Rails::Application#key_generator (iterations 1000 there); SHA256 and other digests as Rails 7.0+
  # derives them. A digest may be given as a class (OpenSSL::Digest::SHA256) or a name ("SHA256").
  def key_generator(secret_key_base, iterations, digest)
    digest = OpenSSL::Digest.const_get(digest.to_s.upcase) unless digest.is_a?(Class)
    generator =
      if digest == OpenSSL::Digest::SHA1
        ActiveSupport::KeyGenerator.new(secret_key_base, iterations: iterations)
      else
        Pbkdf2KeyGenerator.new(secret_key_base, iterations: iterations, hash_digest_class: digest)
      end
    ActiveSupport::CachingKeyGenerator.new(generator)
  end

  # CookieStore options; nil ones are left out (CookieStore's defaults apply).
  def session_options(options, same_site)
    options.merge(same_site: same_site).compact
  end

  def session_middleware(options)
    store = options.delete(:session_store)
    extra = options.delete(:store_options) || {}
    case store
    when nil then [ActionDispatch::Session::CookieStore, options]
    when :cache_store then [ActionDispatch::Session::CacheStore, options]
    else [store, options.merge(extra)]
    end
  end

  # A subclass of TestController per app: each app has its own forgery protection settings.
  def controller(per_form_csrf_tokens:, urlsafe_csrf_tokens:, forgery_protection_origin_check:)
    Class.new(TestController) do
      self.per_form_csrf_tokens = per_form_csrf_tokens
      # Rails 7.1 dropped the setting: tokens are always url-safe there.
      self.urlsafe_csrf_tokens = urlsafe_csrf_tokens if respond_to?(:urlsafe_csrf_tokens=)
      self.forgery_protection_origin_check = forgery_protection_origin_check
    end
  end

  def routes_for(ctrl)
    routes = ActionDispatch::Routing::RouteSet.new
    name = %r{[^/]+} # cookie and session key names may contain dots
    routes.draw do
      get "/session", to: ctrl.action(:show_session)
      post "/session", to: ctrl.action(:update_session)
      post "/session/reset", to: ctrl.action(:reset_session_action)
      post "/session/delete/:name", to: ctrl.action(:delete_session_key), constraints: { name: name },
                                    format: false
      get "/flash/set", to: ctrl.action(:set_flash)
      get "/flash", to: ctrl.action(:show_flash)
      get "/csrf", to: ctrl.action(:csrf)
      post "/protected", to: ctrl.action(:protected_action)
      delete "/protected", to: ctrl.action(:protected_action)
      get "/cookies/:jar/:name", to: ctrl.action(:read_cookie), constraints: { name: name }, format: false
      post "/cookies/:jar/:name", to: ctrl.action(:write_cookie), constraints: { name: name }, format: false
      post "/sign_in", to: ctrl.action(:sign_in)
      get "/current_user", to: ctrl.action(:current_user)
    end
    routes
  end

  def load!
    return if const_defined?(:TestController, false)

    require "active_support"
    require "active_support/core_ext/numeric/time"
    require "active_support/key_generator"
    require "active_support/messages/rotation_configuration"
    require "action_dispatch"
    require "action_dispatch/middleware/cookies"
    require "action_dispatch/middleware/session/cookie_store"
    require "action_dispatch/middleware/flash"
    require "action_controller"

    const_set(:TestController, Class.new(ActionController::Base) { include RailsStack::Actions })
  end
end
