# frozen_string_literal: true

module Railsess
  module Session
    # A Dalli::Client (or a ConnectionPool of them) behind the four commands RedisBackend sends
    # (`mget`, `set` with `xx:`, `exists?`, `del`), so MemcacheStore shares the Redis stores'
    # backend. Memcached's `replace` stores only over an existing key, atomically: SET XX.
    #
    # Values are bytes the layouts build (MemcacheLayouts): exactly what Rails' Dalli stores, its
    # Marshal output, flagged as serialized (Dalli's FLAG_SERIALIZED, bit 0) as Rails' values are.
    # So the client must store and return them as they are: its serializer is Passthrough
    # (DalliAdapter.client builds such a client). Dalli still (de)compresses (bit 1) itself.
    class DalliAdapter
      # Dalli's serializer for bytes that already are a Marshal dump.
      module Passthrough
        module_function

        def dump(value) = value
        def load(value) = value
      end

      # What a key held when Dalli could not read it back (a corrupt compressed value): the
      # layouts raise its error, so the backend reports it and leaves the key alone.
      Unreadable = Struct.new(:error)

      # Dalli's timeouts (1 s, as Rails' cache stores), but one failure marks a server down, for
      # a second only: RedisCircuit does the backing off. User options win.
      DEFAULT_OPTIONS = { socket_timeout: 1, socket_max_failures: 1, down_retry_delay: 1 }.freeze

      # A Dalli client for MemcacheStore's `memcache: { client: }` (e.g. inside a ConnectionPool).
      def self.client(servers = nil, **options)
        require "dalli"
        ::Dalli::Client.new(servers, DEFAULT_OPTIONS.merge(options).merge(serializer: Passthrough))
      end

      attr_reader :client

      # `compress:` is Dalli's per-request option: Rails' cache store turns Dalli's off (the cache
      # entry compresses), Rack::Session::Dalli keeps it (values over 4 KiB).
      def initialize(client, compress:)
        require "dalli"
        @client = client
        @compress = compress
        check_serializer!
      end

      # Values (or nil) in the order of keys, in one round trip.
      def mget(*keys)
        found = with { |c| c.get_multi(*keys) }
        keys.map { |key| found[key] }
      rescue ::Dalli::UnmarshalError
        keys.map { |key| get(key) }
      end

      def get(key)
        with { |c| c.get(key) }
      rescue ::Dalli::UnmarshalError => e
        Unreadable.new(e)
      end

      # True when written. `xx: true`: only over an existing key (memcached's replace). `ttl:` in
      # seconds, 0 for none (Dalli turns more than 30 days into a unix time, as memcached needs).
      # A value memcached refuses (over its item size) is not written, as Rails' cache store.
      def set(key, payload, ttl: 0, xx: false) # rubocop:disable Naming/MethodParameterName
        options = { compress: @compress }
        stored = with { |c| xx ? c.replace(key, payload, ttl, options) : c.set(key, payload, ttl, options) }
        # Dalli 3.0 answers a replace that found no key with CAS 0; later versions with nil.
        return stored.positive? if stored.is_a?(Integer)

        stored ? true : false
      rescue ::Dalli::ValueOverMaxSize, ::Dalli::MarshalError
        false
      end

      def exists?(*keys) = mget(*keys).any?

      def del(*keys)
        with { |c| keys.count { |key| c.delete(key) } }
      end

      # What a memcached that is down or hung raises (NetworkError, then RingError while Dalli
      # marks it down), and any other Dalli error (a protocol error), as Rails' MemCacheStore
      # rescues them all: an empty session, never a 500. Values are handled above.
      def connection_errors
        @connection_errors ||= [::Dalli::DalliError, Errno::ECONNREFUSED, Errno::ECONNRESET, Errno::EPIPE,
                                Errno::ETIMEDOUT,
                                *(defined?(::ConnectionPool::TimeoutError) ? [::ConnectionPool::TimeoutError] : [])]
      end

      private

      # Dalli::Client#with yields the client; a ConnectionPool checks one out.
      def with(&) = @client.with(&)

      # A client that Marshal'ed the layouts' bytes again would store what Rails cannot read.
      def check_serializer!
        serializer = with { |c| c.instance_variable_get(:@options) }&.fetch(:serializer, Marshal)
        return if serializer.nil? || serializer == Passthrough

        raise ArgumentError, "railsess: a memcache client: must be built with serializer: " \
                             "Railsess::Session::DalliAdapter::Passthrough (DalliAdapter.client(servers, **options))"
      end
    end
  end
end
