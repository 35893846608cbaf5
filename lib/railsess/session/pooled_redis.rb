# frozen_string_literal: true

module Railsess
  module Session
    # A ConnectionPool of Redis clients (`redis: { client: ConnectionPool.new { Redis.new(...) } }`,
    # as Rails' RedisCacheStore takes `pool:`) behind the client interface RedisBackend uses: each
    # command checks a connection out for itself (a pipelined block keeps one for the block).
    class PooledRedis
      def self.pool?(client)
        defined?(::ConnectionPool) && client.is_a?(::ConnectionPool)
      end

      def initialize(pool)
        @pool = pool
      end

      def inspect = "#<#{self.class.name} #{@pool.class.name}>"

      # The client class the pool holds (cluster detection looks at it).
      def checked_out_class = @pool.with(&:class)

      def respond_to_missing?(name, include_private = false)
        @pool.with { |client| client.respond_to?(name, include_private) } || super
      end

      # The block is named: an anonymous `&` cannot be passed on from inside a block (Ruby 3.3).
      def method_missing(name, *args, **options, &block) # rubocop:disable Naming/BlockForwarding
        @pool.with do |client|
          return client.public_send(name, *args, **options, &block) if client.respond_to?(name) # rubocop:disable Naming/BlockForwarding
        end
        super
      end
    end
  end
end
