# frozen_string_literal: true

require "railsess/session/redis_layouts"
require "railsess/session/redis_circuit"
require "railsess/session/pooled_redis"
require "railsess"

module Railsess
  module Session
    # The Redis half of RedisStore, shared by the Rack middleware and the Rails session store
    # (ActionDispatch::Session::RailsessRedisStore): find / write / delete a session by id in the
    # chosen layout, with Redis failures and undecodable values turned into an empty session.
    #
    # What it guards against (each also in SECURITY.md):
    # - The cookie is attacker input. Only a well-formed session id (the 32 hex Rails generates,
    #   up to 128 hex) is a session id; anything else (`cache:feature_flags`, a private id
    #   `2::<sha256>` read from a key listing, `""`) is no session, before any Redis command.
    # - Nothing is deleted because its value did not decode: it is logged and reported.
    # - A request that loaded a session never writes it back after another request deleted it
    #   (a sign-out): the write is `SET key value XX`, atomic on the key it was loaded from
    #   (Rails' CVE-2026-126076 fix checks, then writes).
    # - A hung or dead Redis costs one request its timeout (1 s by default, as Rails'
    #   RedisCacheStore), then RedisCircuit skips Redis for `redis_down_backoff` seconds.
    module RedisBackend
      LAYOUTS = { redis_session_store: RedisLayouts::RedisSessionStore, cache_store: RedisLayouts::CacheStore }.freeze
      # Options of `redis:` that are railsess' (or the gems'), not Redis.new's.
      LAYOUT_OPTIONS = %i[key_prefix namespace expire_after ttl client wait_for_replicas wait_timeout].freeze
      # Rails' RedisCacheStore defaults (7.1+; 6.1's connect_timeout was 20 s): user options win.
      DEFAULT_REDIS_OPTIONS = { connect_timeout: 1, read_timeout: 1, write_timeout: 1, reconnect_attempts: 0 }.freeze
      DEFAULT_BACKOFF = 2.0
      # The redis gem whose cluster client is redis-clustering's.
      REDIS5 = Gem::Version.new("5")
      # Session ids as Rails (SecureRandom.hex(16)) and Rack (hex(32)) generate them.
      SESSION_ID = /\A\h{32,128}\z/
      # Per request: [private id, the key its session was read from]; a prefetched read; whether
      # Redis was already reported down.
      LOADED = "railsess.redis.loaded"
      PREFETCHED = "railsess.redis.prefetched"
      REPORTED = "railsess.redis.reported"

      attr_reader :layout, :circuit, :on_redis_down, :on_session_load_error

      # The Redis client (a method, not the ivar, everywhere: so it can be stubbed, as with the gem).
      def redis = @redis

      # Public setters as in redis-session-store.
      def on_redis_down=(handler)
        @on_redis_down = callable!(:on_redis_down, handler)
      end

      def on_session_load_error=(handler)
        @on_session_load_error = callable!(:on_session_load_error, handler)
      end

      private

      # Splits the store's options; returns the ones left for Rack / ActionDispatch. As in the
      # gem, `key_prefix:` and `ttl:` may also be given at the top level (`redis:` wins), and
      # `redis: { expire_after: }` wins over the top-level one.
      def setup_redis(options)
        options = options.dup
        redis_options = (options.delete(:redis) || {}).transform_keys(&:to_sym)
        @layout = build_layout(options, redis_options)
        @redis = redis_options[:client] || build_client(redis_options.except(*LAYOUT_OPTIONS))
        @redis = PooledRedis.new(@redis) if PooledRedis.pool?(@redis)
        setup_backend(options, redis_options, backoff: :redis_down_backoff, down_handler: :on_redis_down)
        @single_key = cluster_client?(@redis)
        setup_replica_wait(redis_options)
        options[:ttl] = redis_options[:ttl] if redis_options.key?(:ttl)
        options
      end

      # What every backend over this code sets up from its options (`server_options`: its
      # `redis:` / `memcache:` Hash): the circuit, the handlers, expire_after; and the defaults
      # of the Redis-only features (one command per key, replica wait) for one that has none.
      def setup_backend(options, server_options, backoff:, down_handler:)
        @circuit = RedisCircuit.new(backoff: options.delete(backoff) { DEFAULT_BACKOFF })
        public_send(:"#{down_handler}=", options.delete(down_handler))
        self.on_session_load_error = options.delete(:on_session_load_error)
        options[:expire_after] = server_options[:expire_after] if server_options.key?(:expire_after)
        @single_key = false
        @wait_for_replicas = 0
      end

      def build_layout(options, redis_options)
        layout = options.delete(:layout) || :redis_session_store
        layout_class = LAYOUTS.fetch(layout) { raise ArgumentError, "railsess: unknown layout #{layout.inspect}" }
        layout_class.new(key_prefix: redis_options.fetch(:key_prefix) { options.delete(:key_prefix) },
                         namespace: redis_options[:namespace],
                         serializer: options.delete(:serializer),
                         cache_format_version: options.delete(:cache_format_version) || 6.1)
      end

      # As RedisCacheStore builds its client: several URLs make a Redis::Distributed with the
      # same hash ring (nodes added by url), so both apps find a session on the same node.
      def build_client(options)
        require "redis"
        return build_cluster_client(options) if options[:cluster]

        urls = options[:url]
        return ::Redis.new(**DEFAULT_REDIS_OPTIONS, **options) unless urls.is_a?(Array)

        require "redis/distributed"
        ::Redis::Distributed.new([], DEFAULT_REDIS_OPTIONS.merge(options.except(:url))).tap do |distributed|
          urls.each { |url| distributed.add_node(url: url) }
        end
      end

      # `redis: { cluster: nodes }`: redis-rb 4 has cluster support built in, redis 5 moved it to
      # the redis-clustering gem (Redis::Cluster.new(nodes:)).
      def build_cluster_client(options)
        return ::Redis.new(**DEFAULT_REDIS_OPTIONS, **options) unless redis_clustering?

        require "redis-clustering"
        ::Redis::Cluster.new(**DEFAULT_REDIS_OPTIONS, **options.except(:cluster), nodes: options[:cluster])
      end

      # Whether the loaded redis gem's cluster client is redis-clustering's (redis 5+), not the
      # one redis-rb 4 has built in.
      def redis_clustering? = Gem::Version.new(::Redis::VERSION) >= REDIS5

      # Redis Cluster refuses multi-key commands across slots (a session's private and public keys
      # are in different ones): one key per command there, and wherever Redis answers CROSSSLOT.
      def cluster_client?(client)
        return client.checked_out_class.name == "Redis::Cluster" if client.is_a?(PooledRedis)

        [client.class.name, (client._client.class.name if client.respond_to?(:_client))].include?("Redis::Cluster")
      end

      # `wait_for_replicas: n` (with `wait_timeout:` seconds, 0.5 by default): a session write
      # counts only once WAIT confirms n replicas have it, so a failover loses no acknowledged
      # session. A write that misses them is reported and not acknowledged (no cookie for it).
      # WAIT answers for the connection that wrote. redis-rb 4.8's cluster client sends a pipeline
      # to the node of its keyed commands (SET + WAIT together); redis-clustering (redis 5+) splits
      # it and sends the keyless WAIT to any primary, where it would confirm nothing.
      def setup_replica_wait(redis_options)
        @wait_for_replicas = Integer(redis_options.fetch(:wait_for_replicas, 0))
        @wait_timeout_ms = (1000 * Float(redis_options.fetch(:wait_timeout, 0.5))).ceil
        raise ArgumentError, "railsess: wait_for_replicas must be >= 0" if @wait_for_replicas.negative?
        return unless @wait_for_replicas.positive? && @single_key && redis_clustering?

        raise ArgumentError, "railsess: wait_for_replicas is not supported on Redis Cluster with redis-clustering " \
                             "(it sends WAIT to any primary, not to the connection that wrote the session)"
      end

      def callable!(name, handler)
        raise ArgumentError, "railsess: #{name} handler is not callable" if handler && !handler.respond_to?(:call)

        handler
      end

      # What "Redis is down" looks like, including a cluster's nodes being down or failing over
      # (redis-clustering raises its own classes for those, not BaseConnectionError's).
      CLUSTER_ERRORS = %w[NodeMightBeDown InitialSetupError CommandErrorCollection].freeze

      def connection_errors
        @connection_errors ||= [Errno::ECONNREFUSED, Errno::ECONNRESET, Errno::EPIPE, Errno::ETIMEDOUT,
                                *(defined?(::Redis::BaseConnectionError) ? [::Redis::BaseConnectionError] : []),
                                *(defined?(::ConnectionPool::TimeoutError) ? [::ConnectionPool::TimeoutError] : []),
                                *cluster_errors]
      end

      def cluster_errors
        return [] unless defined?(::Redis::Cluster)

        CLUSTER_ERRORS.filter_map do |name|
          ::Redis::Cluster.const_get(name, false) if ::Redis::Cluster.const_defined?(name, false)
        end
      end

      def well_formed?(sid)
        id = sid.respond_to?(:public_id) ? sid.public_id : sid
        id.is_a?(String) && SESSION_ID.match?(id)
      end

      # A cookie (or parameter) that is not a well-formed id is no session id at all.
      def extract_session_id(req)
        sid = super
        sid if sid && well_formed?(sid)
      end

      # redis-session-store: a session id from a cookie counts only if Redis has it, so reading
      # the session of an unknown or expired id creates nothing. The read is kept for
      # find_session: one round trip. (Rails' CacheStore has no such check: any id counts.)
      def session_exists?(req)
        sid = current_session_id(req)
        return false unless sid && well_formed?(sid)
        return true unless @layout.checks_existence?

        found = with_redis(req, sid, :down) { load_with_fallback(req, sid) }
        return true if found == :down # as the gem: Redis down, so assume it does

        request_env(req)[PREFETCHED] = [sid.public_id, found]
        !found.nil?
      end

      def find_session(req, sid)
        found = sid && well_formed?(sid) && prefetched_or_load(req, sid)
        if found && found != :down
          data, key = found
          request_env(req)[LOADED] = [sid.private_id, key]
          [sid, data]
        else
          [generate_sid, {}]
        end
      end

      def prefetched_or_load(req, sid)
        public_id, found = request_env(req).delete(PREFETCHED)
        return found if public_id == sid.public_id

        with_redis(req, sid, :down) { load_with_fallback(req, sid) }
      end

      # [data, key] from the first of the layout's keys (private id, then public id) that holds
      # a session Hash, or nil.
      def load_with_fallback(req, sid)
        each_payload(@layout.read_keys(sid)) do |key, payload|
          data = decode(req, key, payload, sid)
          return [data, key] if data
        end
        nil
      end

      # Yields the keys that hold a value, in order: one MGET, or one GET at a time on a cluster
      # (the public-id key only when the private one did not do).
      def each_payload(keys)
        payloads = @single_key ? nil : cross_slot_safe { redis.mget(*keys) }
        return keys.zip(payloads).each { |key, payload| yield key, payload if payload } if payloads

        keys.each { |key| (payload = redis.get(key)) && yield(key, payload) }
      end

      def exist_any?(keys)
        found = @single_key ? nil : cross_slot_safe { redis.exists?(*keys) }
        found.nil? ? keys.any? { |key| redis.exists?(key) } : found
      end

      def delete_all(keys)
        deleted = @single_key ? nil : cross_slot_safe { redis.del(*keys) }
        keys.each { |key| redis.del(key) } if deleted.nil?
      end

      # nil (and one key per command from now on) when Redis refuses keys of different slots.
      def cross_slot_safe
        yield
      rescue StandardError => e
        raise unless e.message.include?("CROSSSLOT") || e.class.name.to_s.include?("CrossSlot")

        @single_key = true
        nil
      end

      # A value that does not decode stays in Redis (an attacker must not be able to make us
      # delete keys): reported, and the request starts a new session.
      def decode(req, key, payload, sid)
        data = @layout.decode(payload)
        data.is_a?(Hash) ? data : nil
      rescue StandardError => e
        # Not the cookie's id in logs: a public-id key is named without it.
        log(req, "railsess: the session value at #{key.sub(sid.public_id, '<public id>')} could not be decoded " \
                 "(#{e.class}); left in #{server_name}, the request starts a new session")
        @on_session_load_error&.call(e, sid)
        nil
      end

      def write_session(req, sid, session, options)
        payload = @layout.encode(session, options[:expire_after])
        written = with_redis(req, sid, false) { store(req, sid, payload, @layout.expiry(options)) }
        written ? sid : false
      end

      # A session this request loaded is written only if it is still there: a sign-out (or
      # expiry) by another request since the load wins. SET XX is atomic on the private key; a
      # session read from its legacy public-id key is checked first, as Rails does.
      def store(req, sid, payload, expiry)
        key = @layout.write_key(sid)
        loaded_id, loaded_key = request_env(req)[LOADED]
        if loaded_id == sid.private_id
          return set_and_wait(req, key, payload, **expiry, xx: true) if loaded_key == key
          return false unless exist_any?([loaded_key, key])
        end
        set_and_wait(req, key, payload, **expiry)
      end

      # SET, then (with wait_for_replicas) WAIT in the same round trip, on the key's node.
      def set_and_wait(req, key, payload, **options)
        return redis.set(key, payload, **options) && true if @wait_for_replicas.zero?

        node = redis.respond_to?(:node_for) ? redis.node_for(key) : redis
        written, acked = node.pipelined do |pipeline|
          pipeline.set(key, payload, **options)
          pipeline.wait(@wait_for_replicas, @wait_timeout_ms)
        end
        return false unless written
        return true if acked.to_i >= @wait_for_replicas

        log(req, "railsess: a session write reached #{acked.to_i} of #{@wait_for_replicas} replica(s) within " \
                 "#{@wait_timeout_ms} ms: not acknowledged")
        false
      end

      def delete_session(req, sid, options)
        keys = well_formed?(sid) ? @layout.delete_keys(sid) : []
        with_redis(req, sid, nil) { delete_all(keys) } unless keys.empty?
        options[:drop] ? nil : generate_sid
      end

      # Runs Redis commands unless the circuit is open; a connection failure or an open circuit
      # reports Redis down (once per request) and gives `fallback`.
      def with_redis(req, sid, fallback)
        unless @circuit.allow?
          error = unavailable_error.new("#{server_name} skipped for #{@circuit.backoff} s after a failure")
          redis_down(req, error, sid)
          return fallback
        end
        result = yield
        instrument(req, RedisCircuit::CLOSED, nil) if @circuit.success!
        result
      rescue *connection_errors => e
        instrument(req, RedisCircuit::OPENED, e) if @circuit.failure!
        redis_down(req, e, sid)
        fallback
      end

      # The gem's names for Rack's hooks: apps that subclass RedisSessionStore call them.
      def get_session(req, sid) = find_session(req, sid)

      def set_session(req, sid, session, options = nil)
        write_session(req, sid, session, options || request_env(req).fetch("rack.session.options", {}))
      end

      def destroy_session(req, sid, options) = delete_session(req, sid, options || {})

      def redis_down(req, error, sid)
        env = request_env(req)
        return if env[REPORTED]

        env[REPORTED] = true
        @on_redis_down&.call(error, env, sid)
      end

      def instrument(req, event, error)
        message = if error
                    "railsess: #{server_name} unreachable (#{error.class}); sessions skip it for #{@circuit.backoff} s"
                  else
                    "railsess: #{server_name} reachable again"
                  end
        log(req, message)
        Compat.active_support_const("ActiveSupport::Notifications")&.instrument(event, store: self.class.name,
                                                                                       error: error)
      end

      def log(req, message)
        request_env(req)["rack.errors"]&.puts(message)
      end

      # What the messages call the server, and the error an open circuit reports (MemcacheBackend
      # names its own).
      def server_name = "Redis"
      def unavailable_error = RedisUnavailable

      # The request's env (a Hash given for one, as the gem's callers may; anything else: none).
      def request_env(req)
        return req.env if req.respond_to?(:env)

        req.is_a?(Hash) ? req : {}
      end
    end
  end
end
