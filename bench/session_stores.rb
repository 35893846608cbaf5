# frozen_string_literal: true

# Whole Rack requests through the session middleware, Rails' vs railsess', on the same minimal
# endpoint, with the loaded ActionDispatch and Rack: Rails 6.1 + Rack 2.2 on the host's Debian 12,
# 7.2 + Rack 3.1 on Debian 13, 8.1 + Rack 3.1 with RUBYLIB pointing at ../shared/rails' 8.1 tree.
#
# * cookie sessions: ActionDispatch::Cookies + ActionDispatch::Session::CookieStore (GCM, JSON,
#   what `load_defaults` of the loaded Rails sets: metadata, SHA256 key derivation from 7.0) vs
#   Railsess::Session::CookieStore(preset: the same version);
# * Redis sessions: ActionDispatch::Session::CacheStore over ActiveSupport::Cache::RedisCacheStore vs
#   Railsess::Session::RedisStore(layout: :cache_store), against a redis-server this script starts.
#
# Each pair serves a request carrying a Devise-like session (~300 B) that the endpoint does not
# touch ("untouched": the middleware's and endpoint's own cost), reads ("read"), or reads and changes
# ("read+write"). The session's cost per request is read (or read+write) minus untouched. Rails
# saves every session it loaded (cookie or Redis); railsess only a changed one, so "read" is where
# that difference shows.
#
#   ruby -Ilib bench/session_stores.rb          RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/session_stores.rb

require_relative "support"
require "action_dispatch"
require "action_dispatch/middleware/session/cookie_store"
require "action_dispatch/middleware/session/cache_store"
require "active_support/messages/rotation_configuration"
require "active_support/cache/redis_cache_store"
require "rack/mock"
require_relative "../spec/support/redis_server"

module SessionStoresBench
  SALTS = {
    "action_dispatch.authenticated_encrypted_cookie_salt" => "authenticated encrypted cookie",
    "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
    "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
    "action_dispatch.signed_cookie_salt" => "signed cookie"
  }.freeze

  # The loaded Rails' version as a railsess preset and `load_defaults` ("6.1" ... "8.1").
  PRESET = ActiveSupport::VERSION::STRING[/\A\d+\.\d+/]

  module_function

  # What Rails::Application#env_config gives every request (load_defaults PRESET, JSON cookies).
  def rails_env
    options = { iterations: 1000 }
    options[:hash_digest_class] = OpenSSL::Digest::SHA256 if ActiveSupport::VERSION::MAJOR >= 7
    keys = ActiveSupport::CachingKeyGenerator.new(
      ActiveSupport::KeyGenerator.new(RailsessBench::SECRET_KEY_BASE, **options)
    )
    SALTS.merge(
      "action_dispatch.key_generator" => keys, "action_dispatch.secret_key_base" => RailsessBench::SECRET_KEY_BASE,
      "action_dispatch.use_authenticated_cookie_encryption" => true,
      "action_dispatch.use_cookies_with_metadata" => true, "action_dispatch.cookies_serializer" => :json,
      "action_dispatch.cookies_rotations" => ActiveSupport::Messages::RotationConfiguration.new,
      "action_dispatch.cookies_same_site_protection" => proc { :lax }
    ).freeze
  end

  # The endpoint: reads the Devise key; with "write", also changes the session ("bench.seed": signs in).
  def endpoint
    lambda do |env|
      return [200, { "content-type" => "text/plain" }, ["untouched"]] if env["bench.untouched"]

      session = env["rack.session"]
      env["bench.seed"]&.each { |k, v| session[k] = v }
      user = session["warden.user.user.key"]
      session["last_request_at"] = env["bench.counter"] if env["bench.write"]
      [200, { "content-type" => "text/plain" }, [user ? "ok" : "anonymous"]]
    end
  end

  def rails_stack(store, options)
    env = rails_env
    app = ActionDispatch::Cookies.new(store.new(endpoint, { key: "_myapp_session" }.merge(options)))
    ->(request_env) { app.call(request_env.merge!(env)) }
  end

  def railsess_stack(store, options)
    store.new(endpoint, { key: "_myapp_session" }.merge(options))
  end

  # Signs in through the app itself, then returns the request env replaying its cookie.
  def signed_in_env(app, value)
    env = Rack::MockRequest.env_for("http://www.myapp.test/")
    env["bench.seed"] = value
    _status, headers, _body = app.call(env)
    cookie = (headers["set-cookie"] || headers["Set-Cookie"]).to_s[/\A[^;]+/]
    Rack::MockRequest.env_for("http://www.myapp.test/", "HTTP_COOKIE" => cookie)
  end

  MODES = { "untouched" => { "bench.untouched" => true }, "read" => {},
            "read+write" => { "bench.write" => true } }.freeze

  def request(app, template, mode)
    env = template.dup
    env["rack.input"] = StringIO.new
    env.merge!(MODES.fetch(mode))
    env["bench.counter"] = (@counter = (@counter || 0) + 1)
    app.call(env)
  end

  def bench_pair(label, rails, ours, value)
    rails_env_template = signed_in_env(rails, value)
    our_env_template = signed_in_env(ours, value)
    MODES.each_key do |mode|
      expected = request(rails, rails_env_template, mode)[2].join
      RailsessBench.assert_same!("#{label} #{mode}: the answer", expected,
                                 request(ours, our_env_template, mode)[2].join)
      RailsessBench.assert_same!("#{label} #{mode}: signed in", mode == "untouched" ? "untouched" : "ok", expected)
      RailsessBench.compare("#{label} #{mode}") do |x|
        x.report("rails #{label}") { request(rails, rails_env_template, mode) }
        x.report("railsess #{label}") { request(ours, our_env_template, mode) }
      end
    end
  end

  def run
    value = RailsessBench.devise_session.except("session_id")

    bench_pair("cookie session",
               rails_stack(ActionDispatch::Session::CookieStore, same_site: :lax),
               railsess_stack(Railsess::Session::CookieStore, preset: PRESET,
                                                              secret_key_base: RailsessBench::SECRET_KEY_BASE),
               value)

    RedisServer.start
    cache = ActiveSupport::Cache::RedisCacheStore.new(url: RedisServer.url, namespace: "bench")
    bench_pair("redis session",
               rails_stack(ActionDispatch::Session::CacheStore, cache: cache),
               railsess_stack(Railsess::Session::RedisStore, layout: :cache_store,
                                                             redis: { url: RedisServer.url, namespace: "bench" }),
               value)
    RailsessBench.finish("session_stores")
  ensure
    RedisServer.stop!
  end
end

SessionStoresBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
