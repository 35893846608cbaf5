# frozen_string_literal: true

require "zlib"
require "railsess/serializers"

module Railsess
  module Session
    # The bytes ActiveSupport::Cache::RedisCacheStore stores for a value (what Rails'
    # ActionDispatch::Session::CacheStore puts in Redis), by `cache_format_version`:
    #
    #   6.1: Marshal.dump(ActiveSupport::Cache::Entry) with ivars @value, @version, @created_at,
    #        @expires_in (seconds, relative to @created_at) and, when the Marshal of the value is
    #        >= 1 KiB and deflates smaller, @value = Zlib::Deflate(Marshal.dump(value)) and
    #        @compressed = true.
    #   7.0: "\x00" + Marshal.dump([value, expires_at]) (the pair without trailing nils), or
    #        "\x01" + Zlib::Deflate(...) when that is >= 1 KiB and deflates smaller.
    #   7.1: "\x00\x11" + [type, expires_at (-1.0: none), version length (-1)].pack("CEl<") +
    #        payload, type 0x01 = Marshal.dump(value), | 0x80 when the payload is deflated (same
    #        rule).
    #
    # `load` reads all three (as 7.1's coder does); an expired entry is nil, as the store treats it.
    # An Entry is written and read without ActiveSupport: Marshal sees a stand-in class whose name
    # is swapped for "ActiveSupport::Cache::Entry" in the class symbol (the stream's first symbol,
    # so no later symbol reference moves).
    module CacheEntry
      FORMATS = [6.1, 7.0, 7.1].freeze
      COMPRESS_THRESHOLD = 1024
      MARK_70_UNCOMPRESSED = "\x00".b.freeze
      MARK_70_COMPRESSED = "\x01".b.freeze
      SIGNATURE_71 = "\x00\x11".b.freeze
      MARSHAL = Serializers::MARSHAL_SIGNATURE
      OBJECT_TYPE = 0x01
      COMPRESSED_FLAG = 0x80
      STRING_TYPES = { 0x02 => Encoding::UTF_8, 0x03 => Encoding::BINARY, 0x04 => Encoding::US_ASCII }.freeze
      HEADER_71 = "CEl<"
      HEADER_71_SIZE = 2 + 1 + 8 + 4

      # Marshal's stand-in for ActiveSupport::Cache::Entry.
      class Entry
        attr_reader :value, :version, :created_at, :expires_in, :compressed

        def initialize(value, created_at, expires_in, compressed)
          @value = value
          @version = nil
          @created_at = created_at
          @expires_in = expires_in
          @compressed = true if compressed
        end
      end

      AS_ENTRY = "ActiveSupport::Cache::Entry"
      OUR_ENTRY = Entry.name

      module_function

      def dump(value, expires_in: nil, format: 6.1, now: Time.now.to_f)
        case format.to_f
        when 6.1 then dump_61(value, expires_in, now)
        when 7.0 then dump_70(value, expires_in && (now + expires_in.to_f))
        when 7.1 then dump_71(value, expires_in && (now + expires_in.to_f))
        else raise ArgumentError, "railsess: unknown cache_format_version #{format.inspect} (6.1, 7.0 or 7.1)"
        end
      end

      # The value stored in `payload`, or nil (expired, or not an entry). Raises what Marshal or
      # Zlib raise for a corrupt payload.
      def load(payload, now: Time.now.to_f)
        return nil unless payload.is_a?(String)

        payload = payload.b
        if payload.start_with?(SIGNATURE_71) then load_71(payload, now)
        elsif payload.start_with?(MARSHAL) then load_61(payload, now)
        elsif payload.start_with?(MARK_70_UNCOMPRESSED) then load_70(Marshal.load(payload.byteslice(1..)), now) # rubocop:disable Security/MarshalLoad
        elsif payload.start_with?(MARK_70_COMPRESSED)
          load_70(Marshal.load(Zlib::Inflate.inflate(payload.byteslice(1..))), now) # rubocop:disable Security/MarshalLoad
        end
      end

      def dump_61(value, expires_in, now)
        serialized = Marshal.dump(value)
        compressed = compress(serialized)
        entry = Entry.new(compressed || value, now, expires_in&.to_f, compressed)
        rename_class(Marshal.dump(entry), OUR_ENTRY, AS_ENTRY)
      end

      def dump_70(value, expires_at)
        members = [value, expires_at]
        members.pop while !members.empty? && members.last.nil?
        payload = Marshal.dump(members)
        compressed = compress(payload)
        compressed ? MARK_70_COMPRESSED + compressed : MARK_70_UNCOMPRESSED + payload
      end

      def dump_71(value, expires_at)
        type = OBJECT_TYPE
        payload = Marshal.dump(value)
        if (compressed = compress(payload))
          payload = compressed
          type |= COMPRESSED_FLAG
        end
        SIGNATURE_71 + [type, expires_at || -1.0, -1].pack(HEADER_71) + payload
      end

      def load_61(payload, now)
        entry = Marshal.load(rename_class(payload, AS_ENTRY, OUR_ENTRY)) # rubocop:disable Security/MarshalLoad
        return nil unless entry.is_a?(Entry)

        expires_in = entry.expires_in
        return nil if expires_in && entry.created_at.to_f + expires_in.to_f <= now

        entry.compressed ? Marshal.load(Zlib::Inflate.inflate(entry.value)) : entry.value # rubocop:disable Security/MarshalLoad
      end

      def load_70(members, now)
        return nil unless members.is_a?(Array)

        value, expires_at = members
        expires_at && expires_at.to_f <= now ? nil : value
      end

      def load_71(payload, now)
        return nil if payload.bytesize < HEADER_71_SIZE

        type, expires_at, version_length = payload.unpack("@2#{HEADER_71}")
        return nil if expires_at >= 0 && expires_at <= now

        body = payload.byteslice((HEADER_71_SIZE + [version_length, 0].max)..).to_s
        body = Zlib::Inflate.inflate(body) if type & COMPRESSED_FLAG != 0
        type &= ~COMPRESSED_FLAG
        return body.force_encoding(STRING_TYPES.fetch(type)) if STRING_TYPES.key?(type)

        Marshal.load(body) # rubocop:disable Security/MarshalLoad
      end

      def compress(serialized)
        return nil if serialized.bytesize < COMPRESS_THRESHOLD

        deflated = Zlib::Deflate.deflate(serialized)
        deflated if deflated.bytesize < serialized.bytesize
      end

      # Swaps the class name of a Marshal'ed object ("\x04\x08o:" + symbol) when it is `from`.
      def rename_class(dump, from, to)
        head = "#{MARSHAL}o:".b + marshal_symbol_length(from) + from.b
        return dump unless dump.b.start_with?(head)

        "#{MARSHAL}o:".b + marshal_symbol_length(to) + to.b + dump.b.byteslice(head.bytesize..)
      end

      # Marshal's length prefix for short symbols (5..122 bytes: one byte, length + 5).
      def marshal_symbol_length(name)
        raise ArgumentError, "class name too long" unless name.bytesize.between?(5, 122)

        (name.bytesize + 5).chr.b
      end
    end
  end
end
