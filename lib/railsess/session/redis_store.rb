# frozen_string_literal: true

require "railsess/session/rack_glue"
require "railsess/session/redis_backend"
require "railsess/presets"
require "railsess/cookie_config"

module Railsess
  # Rack session middlewares (and, with ActionDispatch loaded, a Rails session store).
  module Session
    # Server-side sessions in Redis, shared with Rails apps that keep theirs there:
    #
    #   use Railsess::Session::RedisStore, key: "_myapp_session", domain: :all,
    #       redis: { url: "redis://localhost:6379/0", key_prefix: "myapp:session:", expire_after: 86_400 }
    #
    # `layout: :redis_session_store` (default) speaks the redis-session-store gem's layout,
    # `layout: :cache_store` Rails' ActionDispatch::Session::CacheStore over RedisCacheStore
    # (`redis: { namespace: }`, `cache_format_version: 6.1 | 7.0 | 7.1`); see RedisLayouts. The
    # cookie holds only the public session id (Rails' 32 hex); anything else in it is no session.
    # `serializer:` (:marshal default, as the gem, :json, :hybrid, or an object with load/dump)
    # applies to the redis-session-store layout. Redis down or slow (1 s timeouts unless `redis:`
    # says otherwise; then `redis_down_backoff:` seconds, 2 by default, without trying) or a value
    # that cannot be decoded: the request gets an empty session and `on_redis_down.call(error, env,
    # sid)` / `on_session_load_error.call(error, sid)` are called; nothing is written or deleted
    # meanwhile, so the session is there again when Redis comes back. `preset:` / `rails_version:`
    # decide the cookie domain's leading dot and SameSite; with `secret_key_base:` (and the cookie
    # options of Session::CookieStore) Railsess::CookieJar.for(env) works too. See RedisBackend.
    class RedisStore < RackSession::Abstract::PersistedSecure
      include RackGlue
      include RedisBackend

      DEFAULT_OPTIONS = RackSession::Abstract::PersistedSecure::DEFAULT_OPTIONS.merge(key: "_session_id").freeze

      def initialize(app, options = {})
        options = setup_redis(options.transform_keys(&:to_sym))
        crypto, rack = CookieConfig.partition(options)
        preset = Presets.fetch(crypto[:preset] || CookieConfig::DEFAULT_PRESET)
        @leading_dot = Compat.level(crypto[:rails_version] || preset[:rails_version]).leading_dot_cookie_domain?
        rack[:same_site] = crypto.fetch(:same_site, preset[:same_site]) unless rack.key?(:same_site)
        @cookie_config = if crypto[:secret_key_base]
                           CookieConfig.new(**crypto)
                         else
                           CookieJar::PlainConfig.new(leading_dot: @leading_dot, same_site: rack[:same_site])
                         end
        super(app, rack)
      end

      private

      def leading_dot? = @leading_dot

      def find_session(req, sid)
        found_sid, data = super
        remember_loaded(req, found_sid.equal?(sid) ? data : nil)
        [found_sid, data]
      end

      def delete_session(req, sid, options)
        remember_loaded(req, nil)
        super
      end

      def set_cookie(req, res, cookie)
        return if req.cookies[@key] == cookie[:value] && !cookie[:expires]

        write_cookie(req, res, cookie, cookie[:value])
      end
    end
  end
end

# With ActionDispatch loaded: its session store on the same backend.
require "railsess/rails/redis_store"
