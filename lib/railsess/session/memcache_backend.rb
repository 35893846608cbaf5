# frozen_string_literal: true

require "railsess/session/redis_backend"
require "railsess/session/memcache_unavailable"
require "railsess/session/memcache_layouts"
require "railsess/session/dalli_adapter"
require "railsess/presets"

module Railsess
  module Session
    # RedisBackend over Memcached: the same find / write / delete, id validation, no deletes of
    # undecodable values, sign-out safety (the write is memcached's `replace`, atomic like SET XX)
    # and circuit breaker, with a DalliAdapter for a client and MemcacheLayouts for layouts.
    module MemcacheBackend
      include RedisBackend

      LAYOUTS = { cache_store: MemcacheLayouts::CacheStore, mem_cache_store: MemcacheLayouts::MemCacheStore }.freeze
      # Options of `memcache:` that are railsess', not Dalli::Client.new's.
      LAYOUT_OPTIONS = %i[servers namespace expire_after client].freeze

      # The DalliAdapter (RedisBackend calls it `redis`).
      def memcache = @memcache

      # RedisBackend calls @on_redis_down; the option and setter are named for Memcached.
      def on_memcache_down = on_redis_down

      def on_memcache_down=(handler)
        @on_redis_down = callable!(:on_memcache_down, handler)
      end

      private

      # The adapter stands where RedisBackend's Redis client does.
      def redis = @memcache
      def connection_errors = @memcache.connection_errors
      def server_name = "Memcached"
      def unavailable_error = MemcacheUnavailable

      # The stores' constructors (RedisStore's, RailsessRedisStore's) call setup_redis.
      def setup_redis(options) = setup_memcache(options)

      # Splits the store's options; returns the ones left for Rack / ActionDispatch.
      def setup_memcache(options)
        options = options.dup
        memcache = (options.delete(:memcache) || {}).transform_keys(&:to_sym)
        @layout = build_memcache_layout(options, memcache)
        client = memcache[:client] || DalliAdapter.client(memcache[:servers], **memcache.except(*LAYOUT_OPTIONS))
        @memcache = DalliAdapter.new(client, compress: @layout.compress?)
        setup_backend(options, memcache, backoff: :memcache_down_backoff, down_handler: :on_memcache_down)
        options
      end

      def build_memcache_layout(options, memcache)
        layout = options.delete(:layout) || :cache_store
        layout_class = LAYOUTS.fetch(layout) { raise ArgumentError, "railsess: unknown layout #{layout.inspect}" }
        settings = { cache_format_version: options.delete(:cache_format_version) || 6.1,
                     hash_digest_class: options.delete(:hash_digest_class),
                     dalli_version: options.delete(:dalli_version), rails_level: memcache_rails_level(options) }
        settings[:namespace] = memcache[:namespace] if memcache.key?(:namespace)
        layout_class.new(**settings)
      end

      # Which Rails' MemCacheStore shortens long keys: the store's `rails_version:` / `preset:` (as
      # for cookies), or the loaded Rails (the Rails store).
      def memcache_rails_level(options)
        version = options[:rails_version] || (options[:preset] && Presets.fetch(options[:preset])[:rails_version])
        Compat.level(version)
      end
    end
  end
end
