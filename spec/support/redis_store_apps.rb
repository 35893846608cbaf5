# frozen_string_literal: true

require "json"
require "digest"
require "rack/mock"

# railsess' two Redis session stores (and Rails' own CacheStore) over one endpoint, for the specs
# that must hold for every store: the Rack middleware Railsess::Session::RedisStore, and
# ActionDispatch::Session::RailsessRedisStore inside ActionDispatch's cookie middleware with a
# Rails app's env (RailsStack.env_config).
#
#   apps = RedisStoreApps.new(:rails, layout: :cache_store, redis: { url: RedisServer.url })
#   apps.store.on_redis_down = ->(*) {}
#   Rack::MockRequest.new(apps.app).get("/")
class RedisStoreApps
  KINDS = %i[rack rails].freeze
  # Runs inside a request, between the session's load and its commit (see "/in_flight").
  IN_FLIGHT = "redis_store_apps.in_flight"

  attr_reader :store, :app

  # Rails' own CacheStore over a RedisCacheStore built from `cache_options`.
  def self.rails_cache_store(cache_options = { url: RedisServer.url, namespace: "myapp" }, **options)
    RailsStack.load!
    require "active_support/cache/redis_cache_store"
    require "action_dispatch/middleware/session/cache_store"
    cache = ActiveSupport::Cache::RedisCacheStore.new(**cache_options)
    new(:rails_cache_store, cache: cache, **options)
  end

  def initialize(kind, **options)
    options = { key: "_myapp_session" }.merge(options)
    @store = build_store(kind, options)
    @app = kind == :rack ? @store : rails_stack(@store)
  end

  # The store's class (what `use` / `config.session_store` is given).
  def self.store_class(kind)
    case kind
    when :rack then Railsess::Session::RedisStore
    when :rails
      RailsStack.load!
      require "railsess/session/redis_store"
      Railsess::Session.define_rails_redis_store
      ActionDispatch::Session::RailsessRedisStore
    when :rails_cache_store then ActionDispatch::Session::CacheStore
    end
  end

  def self.private_id(public_id) = "2::#{Digest::SHA256.hexdigest(public_id)}"

  # One request through the app: [session Hash, the id of its Set-Cookie or nil, MockResponse].
  def call(path, cookie: nil, json: nil, env: {})
    request_env = Rack::MockRequest.env_for("http://www.myapp.test#{path}", method: json ? "POST" : "GET",
                                                                            input: json ? JSON.generate(json) : "")
    request_env["HTTP_COOKIE"] = "_myapp_session=#{cookie}" unless cookie.nil?
    request_env.merge!(env)
    response = Rack::MockResponse.new(*@app.call(request_env))
    set_cookie = Array(response.headers["set-cookie"]).join("\n")
    [JSON.parse(response.body), set_cookie[/_myapp_session=(\h{32})/, 1], response]
  end

  # A request object of the store's kind, for calling its Rack hooks directly.
  def request(env = Rack::MockRequest.env_for("http://www.myapp.test/"))
    @store.is_a?(Railsess::Session::RedisStore) ? Rack::Request.new(env) : ActionDispatch::Request.new(env)
  end

  ENDPOINT = lambda do |env|
    session = env["rack.session"]
    case env["PATH_INFO"]
    when "/set" then JSON.parse(env["rack.input"].read).each { |k, v| session[k] = v }
    when "/cart" then (session["cart"] ||= []) << 1
    when "/sign_out" then session.destroy
    when "/renew" then env["rack.session.options"][:renew] = true
    when "/in_flight"
      session["user"] # loaded before another request signs out...
      env[IN_FLIGHT]&.call
      session["seen"] = (session["seen"] || 0) + 1 # ...and written after it
    end
    [200, { "content-type" => "application/json" }, [JSON.generate(session.to_hash)]]
  end

  private

  def build_store(kind, options)
    klass = self.class.store_class(kind)
    klass.new(ENDPOINT, options)
  end

  def rails_stack(store)
    RailsStack::EnvConfig.new(ActionDispatch::Cookies.new(store), RailsStack.env_config, nil)
  end
end
