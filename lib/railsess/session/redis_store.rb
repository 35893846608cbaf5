# frozen_string_literal: true

require "railsess/session/rack_glue"
require "railsess/session/redis_layouts"
require "railsess/presets"
require "railsess/cookie_config"

module Railsess
  # Rack session middlewares (and, with ActionDispatch loaded, a Rails session store).
  module Session
    # The Redis half of RedisStore, shared by the Rack middleware and the Rails session store
    # (ActionDispatch::Session::RailsessRedisStore): find / write / delete a session by id in the
    # chosen layout, with Redis failures and undecodable values turned into an empty session.
    module RedisBackend
      LAYOUTS = { redis_session_store: RedisLayouts::RedisSessionStore, cache_store: RedisLayouts::CacheStore }.freeze
      # Options of `redis:` that are railsess' (or the gems'), not Redis.new's.
      LAYOUT_OPTIONS = %i[key_prefix namespace expire_after ttl client].freeze

      attr_reader :layout, :redis

      private

      # Splits the store's options; returns the ones left for Rack / ActionDispatch.
      def setup_redis(options)
        options = options.dup
        redis_options = (options.delete(:redis) || {}).transform_keys(&:to_sym)
        layout = options.delete(:layout) || :redis_session_store
        layout_class = LAYOUTS.fetch(layout) { raise ArgumentError, "railsess: unknown layout #{layout.inspect}" }
        @layout = layout_class.new(**redis_options.slice(:key_prefix, :namespace, :ttl),
                                   serializer: options.delete(:serializer),
                                   cache_format_version: options.delete(:cache_format_version) || 6.1)
        @redis = redis_options[:client] || build_client(redis_options.except(*LAYOUT_OPTIONS))
        @on_redis_down = callable!(:on_redis_down, options.delete(:on_redis_down))
        @on_session_load_error = callable!(:on_session_load_error, options.delete(:on_session_load_error))
        options[:expire_after] ||= redis_options[:expire_after] if redis_options.key?(:expire_after)
        options
      end

      def build_client(options)
        require "redis"
        ::Redis.new(**options)
      end

      def callable!(name, handler)
        raise ArgumentError, "railsess: #{name} handler is not callable" if handler && !handler.respond_to?(:call)

        handler
      end

      def connection_errors
        @connection_errors ||= [Errno::ECONNREFUSED, Errno::ECONNRESET, Errno::EPIPE, Errno::ETIMEDOUT,
                                *(defined?(::Redis::BaseConnectionError) ? [::Redis::BaseConnectionError] : [])]
      end

      def redis_down(error, env, sid)
        @on_redis_down&.call(error, env, sid)
      end

      def find_session(req, sid)
        data = sid && load_with_fallback(sid)
        data ? [sid, data] : [generate_sid, {}]
      rescue *connection_errors => e
        redis_down(e, req.env, sid)
        [generate_sid, {}]
      end

      # The first of the layout's keys (private id, then public id) that holds a session.
      def load_with_fallback(sid)
        keys = @layout.read_keys(sid)
        return nil if keys.empty?

        keys.zip(@redis.mget(*keys)).each do |key, payload|
          next if payload.nil?

          data = decode(key, payload, sid)
          return data if data
        end
        nil
      end

      def decode(key, payload, sid)
        data = @layout.decode(payload)
        data.is_a?(Hash) ? data : nil
      rescue StandardError => e
        @redis.del(key) if @layout.delete_undecodable?
        @on_session_load_error&.call(e, sid)
        nil
      end

      def write_session(req, sid, session, options)
        expire_after = options[:expire_after]
        payload = @layout.encode(session, expire_after)
        @redis.set(@layout.write_key(sid), payload, **@layout.expiry(expire_after))
        sid
      rescue *connection_errors => e
        redis_down(e, req.env, sid)
        false
      end

      def delete_session(req, sid, options)
        @redis.del(*@layout.delete_keys(sid))
        options[:drop] ? nil : generate_sid
      rescue *connection_errors => e
        redis_down(e, req.env, sid)
        options[:drop] ? nil : generate_sid
      end
    end

    # Server-side sessions in Redis, shared with Rails apps that keep theirs there:
    #
    #   use Railsess::Session::RedisStore, key: "_myapp_session", domain: :all,
    #       redis: { url: "redis://localhost:6379/0", key_prefix: "myapp:session:", expire_after: 86_400 }
    #
    # `layout: :redis_session_store` (default) speaks the redis-session-store gem's layout,
    # `layout: :cache_store` Rails' ActionDispatch::Session::CacheStore over RedisCacheStore
    # (`redis: { namespace: }`, `cache_format_version: 6.1 | 7.0 | 7.1`); see RedisLayouts. The
    # cookie holds only the public session id (Rails' 32 hex). `serializer:` (:marshal default, as
    # the gem, :json, :hybrid) applies to the redis-session-store layout. Redis down or slow (give
    # `redis: { connect_timeout:, read_timeout:, write_timeout: }`) or a value that cannot be
    # decoded: the request gets an empty session and `on_redis_down.call(error, env, sid)` /
    # `on_session_load_error.call(error, sid)` are called; nothing is written while Redis is down,
    # so the session is there again when it comes back. `preset:` / `rails_version:` decide the
    # cookie domain's leading dot and SameSite; with `secret_key_base:` (and the cookie options of
    # Session::CookieStore) Railsess::CookieJar.for(env) works too.
    class RedisStore < RackSession::Abstract::PersistedSecure
      include RackGlue
      include RedisBackend

      DEFAULT_OPTIONS = RackSession::Abstract::PersistedSecure::DEFAULT_OPTIONS.merge(key: "_session_id").freeze

      def initialize(app, options = {})
        options = setup_redis(options.transform_keys(&:to_sym))
        crypto, rack = CookieConfig.partition(options)
        preset = Presets.fetch(crypto[:preset] || CookieConfig::DEFAULT_PRESET)
        @leading_dot = Compat.level(crypto[:rails_version] || preset[:rails_version]) < 71
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

      # redis-session-store: a session id from a cookie counts only if Redis has it, so reading
      # the session of an unknown or expired id creates nothing.
      def session_exists?(req)
        value = current_session_id(req)
        return false if value.nil? || value.empty?
        return true unless @layout.is_a?(RedisLayouts::RedisSessionStore)

        keys = @layout.read_keys(value)
        !keys.empty? && @redis.exists?(*keys)
      rescue *connection_errors => e
        redis_down(e, req.env, value)
        true
      end

      def set_cookie(req, res, cookie)
        return if req.cookies[@key] == cookie[:value] && !cookie[:expires]

        write_cookie(req, res, cookie, cookie[:value])
      end
    end

    # `config.session_store :railsess_redis_store, ...` in a Rails app: the same Redis layouts as an
    # ActionDispatch::Session::AbstractSecureStore (Rails' session object and cookie jar).
    def self.define_rails_redis_store
      return unless defined?(::ActionDispatch::Session::AbstractSecureStore)
      return if ::ActionDispatch::Session.const_defined?(:RailsessRedisStore, false)

      store = Class.new(::ActionDispatch::Session::AbstractSecureStore) do
        include RedisBackend

        def initialize(app, options = {})
          super(app, setup_redis(options.transform_keys(&:to_sym)))
        end
      end
      ::ActionDispatch::Session.const_set(:RailsessRedisStore, store)
    end
    define_rails_redis_store
  end
end
