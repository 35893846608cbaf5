# frozen_string_literal: true

require "railsess/json"

module Railsess
  # The serializers Rails' messages use, by name or object:
  #
  # * the Rails 7.1 symbols, with format detection and fallback exactly as
  #   ActiveSupport::Messages::SerializerWithFallback: `:marshal`, `:json`, `:json_allow_marshal`,
  #   `:message_pack`, `:message_pack_allow_marshal` (MessagePack needs ActiveSupport 7.1+ and
  #   msgpack >= 1.7.0);
  # * `:hybrid`: ActionDispatch's cookie hybrid: writes JSON, reads Marshal dumps too;
  # * any object with `dump`/`load` (`::JSON`, `Marshal`, ActiveSupport::JSON, a null serializer).
  #
  # With ActiveSupport 7.1+ loaded the symbols resolve to ActiveSupport's own modules.
  module Serializers
    MARSHAL_SIGNATURE = "\x04\x08".b.freeze

    # ActiveSupport::Messages::SerializerWithFallback, for when ActiveSupport 7.1 is not loaded.
    module WithFallback
      def load(dumped)
        format = detect_format(dumped)
        if format == self.format
          _load(dumped)
        elsif format && fallback?(format)
          load_fallback(format, dumped)
        else
          raise "Unsupported serialization format"
        end
      end

      private

      def load_fallback(format, dumped)
        notifications = Compat.active_support_const("ActiveSupport::Notifications")
        fallback = FALLBACKS.fetch(format)
        return fallback._load(dumped) unless notifications

        payload = { serializer: FALLBACKS.key(self), fallback: format, serialized: dumped }
        notifications.instrument("message_serializer_fallback.active_support", payload) do
          payload[:deserialized] = fallback._load(dumped)
        end
      end

      def detect_format(dumped)
        if MarshalWithFallback.dumped?(dumped) then :marshal
        elsif JsonWithFallback.dumped?(dumped) then :json
        end
      end

      def fallback?(format)
        format != :marshal
      end
    end

    # :marshal
    module MarshalWithFallback
      include WithFallback
      extend self # rubocop:disable Style/ModuleFunction -- the included WithFallback#load must be public too

      def format = :marshal
      def dump(object) = Marshal.dump(object)
      def _load(dumped) = Marshal.load(dumped) # rubocop:disable Security/MarshalLoad
      def dumped?(dumped) = dumped.start_with?(MARSHAL_SIGNATURE)
    end

    # :json (ActiveSupport::JSON)
    module JsonWithFallback
      include WithFallback
      extend self

      JSON_START_WITH = /\A(?:[{\["]|-?\d|true|false|null)/

      def format = :json
      def dump(object) = Railsess::JSON.encode(object)
      def _load(dumped) = Railsess::JSON.decode(dumped)
      def dumped?(dumped) = JSON_START_WITH.match?(dumped)

      private

      def detect_format(dumped)
        super || :json
      end
    end

    # :json_allow_marshal
    module JsonWithFallbackAllowMarshal
      include JsonWithFallback
      extend self

      private

      def fallback?(format)
        super || format == :marshal
      end
    end

    # ActionDispatch's `cookies_serializer = :hybrid`: JSON out, Marshal dumps still read.
    module Hybrid
      module_function

      def dump(value) = Railsess::JSON.encode(value)

      def load(value)
        if value.start_with?(MARSHAL_SIGNATURE)
          Marshal.load(value) # rubocop:disable Security/MarshalLoad
        else
          Railsess::JSON.decode(value)
        end
      end
    end

    FALLBACKS = {
      marshal: MarshalWithFallback,
      json: JsonWithFallback,
      json_allow_marshal: JsonWithFallbackAllowMarshal
    }.freeze

    MESSAGE_PACK = %i[message_pack message_pack_allow_marshal].freeze

    module_function

    # The serializer object for a `serializer:` option value.
    def resolve(serializer)
      return serializer unless serializer.is_a?(Symbol)
      return Hybrid if serializer == :hybrid

      as_serializers = Compat.active_support_const("ActiveSupport::Messages::SerializerWithFallback")
      return as_serializers[serializer] if as_serializers

      if MESSAGE_PACK.include?(serializer)
        require_message_pack
        raise ArgumentError, "railsess: #{serializer.inspect} needs ActiveSupport 7.1+ (ActiveSupport::MessagePack)"
      end
      FALLBACKS.fetch(serializer)
    end

    # What ActiveSupport 7.1's `require "active_support/message_pack"` does when msgpack is
    # missing or older than 1.7.0: warn, then raise the LoadError.
    def require_message_pack
      gem "msgpack", ">= 1.7.0"
      require "msgpack"
    rescue LoadError => e
      warn "ActiveSupport::MessagePack requires the msgpack gem, version 1.7.0 or later. " \
           "Please add it to your Gemfile: `gem \"msgpack\", \">= 1.7.0\"`"
      raise e
    end

    # The JSON serializers that fall back to other formats (`:json`, `:json_allow_marshal`,
    # `:hybrid`; ActiveSupport's or ours): they write `ActiveSupport::JSON.encode`'s text and
    # read JSON with `ActiveSupport::JSON.decode`. Whatever the core parses as JSON cannot start
    # with a Marshal or MessagePack signature, so only what it leaves to Ruby could fall back.
    def json_with_fallback?(serializer)
      return true if [JsonWithFallback, JsonWithFallbackAllowMarshal, Hybrid].any? { |s| serializer.equal?(s) }

      as_serializers = Compat.active_support_const("ActiveSupport::Messages::SerializerWithFallback::SERIALIZERS")
      return false unless as_serializers

      %i[json json_allow_marshal].any? { |name| serializer.equal?(as_serializers[name]) }
    end

    # Serializers whose own output carries 7.1-style metadata
    # (ActiveSupport::Messages::Metadata::ENVELOPE_SERIALIZERS).
    def envelope_serializer?(serializer)
      return true if FALLBACKS.value?(serializer) || serializer.equal?(Railsess::JSON)
      return true if serializer.equal?(::JSON) || serializer.equal?(::Marshal)

      as_json = Compat.active_support_const("ActiveSupport::JSON")
      return true if as_json && serializer.equal?(as_json)

      as_envelope = Compat.active_support_const("ActiveSupport::Messages::Metadata::ENVELOPE_SERIALIZERS")
      as_envelope ? as_envelope.include?(serializer) : false
    end

    # Serializers that carry the expiry as a Time rather than an `iso8601(3)` String (MessagePack's
    # Time extension; ActiveSupport::Messages::Metadata::TIMESTAMP_SERIALIZERS, 7.1+).
    def timestamp_serializer?(serializer)
      as_timestamp = Compat.active_support_const("ActiveSupport::Messages::Metadata::TIMESTAMP_SERIALIZERS")
      as_timestamp ? as_timestamp.include?(serializer) : false
    end
  end
end
