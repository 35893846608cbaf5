# frozen_string_literal: true

require "digest"
require "openssl"
require "railsess/session/cache_entry"
require "railsess/session/dalli_adapter"

module Railsess
  module Session
    # Where and how a Rails app keeps a session in Memcached, with the bytes its Dalli stores (a
    # Marshal dump, flagged as serialized: see DalliAdapter). Same interface as RedisLayouts; the
    # cookie holds the public session id, keys use the private one ("2::" + SHA256 hex).
    module MemcacheLayouts
      MARSHAL_STRING = "\x04\x08\"".b.freeze

      module_function

      # The bytes a layout reads back; a value Dalli could not read raises its error.
      def bytes(payload)
        raise payload.error if payload.is_a?(DalliAdapter::Unreadable)
        raise TypeError, "not a stored value" unless payload.is_a?(String)

        payload.b
      end

      # `config.session_store :cache_store` with `config.cache_store = :mem_cache_store`: Rails'
      # ActionDispatch::Session::CacheStore over ActiveSupport::Cache::MemCacheStore.
      #
      # Key: ActiveSupport's `namespace:` + ":" + "_session_id:" + id, then MemCacheStore's
      # normalize_key: bytes 0x00-0x20, "%" and 0x7F-0xFF escaped as %XX; a key over 250 bytes
      # becomes its first 213 bytes + ":md5:" + digest (Rails 6.1) or its first 212 bytes +
      # ":hash:" + digest (7.0+), the digest being ActiveSupport::Digest.hexdigest: the first 32
      # hex of `hash_digest_class` (SHA1 with load_defaults 5.2-6.1, SHA256 with 7.0+).
      #
      # Value: what MemCacheStore hands Dalli, Marshal'ed by Dalli (Rails turns Dalli's own
      # compression off): cache_format_version 6.1, the ActiveSupport::Cache::Entry itself
      # (CacheEntry's 6.1 bytes); 7.0 / 7.1, the coder's binary String (CacheEntry's 7.0 / 7.1
      # bytes) Marshal'ed as a String. TTL: `expire_after` in whole seconds (to_i), 0 for none.
      class CacheStore
        attr_reader :key_prefix

        def initialize(namespace: nil, cache_format_version: 6.1, rails_level: Compat.level("8.1"),
                       hash_digest_class: nil, **)
          @key_prefix = [namespace, "_session_id:"].compact.join(":")
          @format = cache_format_version.to_f
          unless CacheEntry::FORMATS.include?(@format)
            raise ArgumentError, "railsess: cache_format_version must be one of 6.1, 7.0, 7.1"
          end

          @legacy_truncation = rails_level.rails_61?
          @digest = hash_digest_class || (@legacy_truncation ? OpenSSL::Digest::SHA1 : OpenSSL::Digest::SHA256)
        end

        def read_keys(sid) = [key(sid.private_id), key(sid.public_id)]
        def write_key(sid) = key(sid.private_id)
        def delete_keys(sid) = [key(sid.private_id), key(sid.public_id)]
        def checks_existence? = false
        def compress? = false

        def encode(session, expires_in)
          entry = CacheEntry.dump(session, expires_in: expires_in, format: @format)
          @format < 7 ? entry : Marshal.dump(entry)
        end

        # Rails 6.1 entries (an Entry Marshal'ed by Dalli) and 7.0 / 7.1 ones (a String holding
        # the coder's bytes), whichever format this store writes, as 7.x's coders read all three.
        def decode(payload)
          payload = MemcacheLayouts.bytes(payload)
          payload = Marshal.load(payload) if payload.start_with?(MARSHAL_STRING) # rubocop:disable Security/MarshalLoad
          CacheEntry.load(payload)
        end

        def expiry(options) = { ttl: options[:expire_after].to_i }

        def key(id)
          key = "#{@key_prefix}#{id}".b.gsub(/[\x00-\x20%\x7F-\xFF]/n) { |char| format("%%%02X", char.ord) }
          return key if key.bytesize <= 250

          digest = @digest.hexdigest(key)[0, 32]
          @legacy_truncation ? "#{key[0, 213]}:md5:#{digest}" : "#{key[0, 212]}:hash:#{digest}"
        end
      end

      # `config.session_store :mem_cache_store`: Rails' ActionDispatch::Session::MemCacheStore,
      # which is Dalli's Rack::Session::Dalli.
      #
      # Key: Dalli's `namespace:` ("rack:session" by default) + ":" + the session id: the public id
      # with Dalli 3.0 (Rack::Session::Abstract::Persisted), the private id from Dalli 3.1 on
      # (PersistedSecure; sessions from 3.0 are not read). Over 250 bytes: the first 213 bytes +
      # ":md5:" + MD5 hex (Dalli's KeyManager; 212 without a namespace). Value: Marshal.dump of the session
      # Hash, compressed by Dalli over 4 KiB. TTL: expire_after + 1 seconds, 0 for none.
      class MemCacheStore
        attr_reader :key_prefix

        def initialize(namespace: "rack:session", dalli_version: nil, **)
          @key_prefix = namespace.nil? ? "" : "#{namespace}:"
          version = dalli_version || (defined?(::Dalli::VERSION) ? ::Dalli::VERSION : "3.2")
          @private_ids = Gem::Version.new(version.to_s) >= Gem::Version.new("3.1")
        end

        def private_ids? = @private_ids
        def read_keys(sid) = [write_key(sid)]
        def write_key(sid) = key(@private_ids ? sid.private_id : sid.public_id)
        def delete_keys(sid) = [key(sid.private_id), key(sid.public_id)]
        def checks_existence? = false
        def compress? = true
        def encode(session, _expires_in) = Marshal.dump(session)
        def decode(payload) = Marshal.load(MemcacheLayouts.bytes(payload)) # rubocop:disable Security/MarshalLoad

        def expiry(options)
          expire_after = options[:expire_after]
          { ttl: expire_after.nil? ? 0 : expire_after.to_i + 1 }
        end

        def key(id)
          key = "#{@key_prefix}#{id}"
          return key if key.length <= 250

          # Dalli keeps 213 characters with a namespace, 212 without ("for historical reasons").
          "#{key[0, @key_prefix.empty? ? 212 : 213]}:md5:#{Digest::MD5.hexdigest(key)}"
        end
      end
    end
  end
end
