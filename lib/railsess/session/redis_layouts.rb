# frozen_string_literal: true

require "json"
require "railsess/session/cache_entry"

module Railsess
  module Session
    # Where and how a server-side session sits in Redis. The cookie holds the public session id
    # (32 hex); the key uses the private id, "2::" + SHA256 hex of the public id
    # (Rack::Session::SessionId#private_id), and reads fall back to the public id (sessions from
    # before private ids).
    module RedisLayouts
      # The redis-session-store gem (0.11): key = key_prefix + id; value = the serializer's dump of
      # the session Hash (:marshal by default, :json = JSON.generate, :hybrid = writes JSON, reads
      # Marshal too); SET EX with `ttl` (wins) or `expire_after` seconds, from the request's
      # session options. (The gem also refuses ids that look like private ones, /\A\d+::/, and
      # deletes a value it cannot decode; RedisBackend refuses every id that is not hex, and
      # deletes nothing.)
      class RedisSessionStore
        # redis-session-store's JsonSerializer.
        module JsonSerializer
          module_function

          def load(value) = ::JSON.parse(value, quirks_mode: true)
          def dump(value) = ::JSON.generate(value, quirks_mode: true)
        end

        # redis-session-store's HybridSerializer.
        module HybridSerializer
          module_function

          def load(value)
            value.start_with?(Serializers::MARSHAL_SIGNATURE) ? Marshal.load(value) : JsonSerializer.load(value) # rubocop:disable Security/MarshalLoad
          end

          def dump(value) = JsonSerializer.dump(value)
        end

        SERIALIZERS = { marshal: Marshal, json: JsonSerializer, hybrid: HybridSerializer }.freeze

        attr_reader :key_prefix

        def initialize(key_prefix: nil, serializer: nil, **)
          @key_prefix = key_prefix.to_s
          @serializer = SERIALIZERS.fetch(serializer || :marshal) { serializer }
        end

        def read_keys(sid) = [key(sid.private_id), key(sid.public_id)]
        def write_key(sid) = key(sid.private_id)
        def delete_keys(sid) = [key(sid.public_id), key(sid.private_id)]
        def encode(session, _expires_in) = @serializer.dump(session)
        def decode(payload) = @serializer.load(payload)
        # The gem's session_exists? asks Redis.
        def checks_existence? = true

        # SET's expiry arguments from the session options: EX seconds.
        def expiry(options)
          seconds = options[:ttl] || options[:expire_after]
          seconds ? { ex: seconds.to_i } : {}
        end

        def key(id) = "#{@key_prefix}#{id}"
      end

      # Rails' ActionDispatch::Session::CacheStore over ActiveSupport::Cache::RedisCacheStore:
      # key = namespace + ":" + "_session_id:" + id (the namespace part only when one is set);
      # value = the cache entry (CacheEntry, by cache_format_version); SET PX with expire_after.
      # An undecodable value is a cache miss (the cache store logs and returns nil).
      class CacheStore
        attr_reader :key_prefix

        def initialize(key_prefix: nil, namespace: nil, cache_format_version: 6.1, **)
          @key_prefix = key_prefix || [namespace, "_session_id:"].compact.join(":")
          @format = cache_format_version.to_f
          return if CacheEntry::FORMATS.include?(@format)

          raise ArgumentError, "railsess: cache_format_version must be one of 6.1, 7.0, 7.1"
        end

        def read_keys(sid) = [key(sid.private_id), key(sid.public_id)]
        def write_key(sid) = key(sid.private_id)
        def delete_keys(sid) = [key(sid.private_id), key(sid.public_id)]
        def encode(session, expires_in) = CacheEntry.dump(session, expires_in: expires_in, format: @format)
        def decode(payload) = CacheEntry.load(payload)
        # Rails' CacheStore keeps Rack's answer: any id counts.
        def checks_existence? = false

        # RedisCacheStore: PX = ceil(1000 * expires_in).
        def expiry(options)
          expire_after = options[:expire_after]
          expire_after ? { px: (1000 * expire_after.to_f).ceil } : {}
        end

        def key(id) = "#{@key_prefix}#{id}"
      end
    end
  end
end
