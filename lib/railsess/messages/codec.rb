# frozen_string_literal: true

require "railsess/messages/metadata"

module Railsess
  module Messages
    # What MessageEncryptor and MessageVerifier share (ActiveSupport 7.1's Messages::Codec):
    # serializer resolution, metadata, and the failure protocol.
    class Codec
      include Metadata

      # ActiveSupport's default serializer for messages: Marshal up to 7.0, then
      # `ActiveSupport::Messages::Codec.default_serializer` (set by `config.active_support.message_serializer`).
      # Without ActiveSupport: JSON, never a Marshal-reading serializer.
      def self.default_serializer
        as_codec = Compat.active_support_const("ActiveSupport::Messages::Codec")
        return as_codec.default_serializer if as_codec
        return ::Marshal if Compat.active_support?

        :json
      end

      def initialize(serializer: nil, url_safe: false, force_legacy_metadata_serializer: false, rails_version: nil)
        @compat = Compat.level(rails_version)
        @alphabet_fallback = Compat.alphabet_fallback?(rails_version)
        @serializer = Serializers.resolve(serializer || self.class.default_serializer)
        @url_safe = url_safe ? true : false
        @force_legacy_metadata_serializer = force_legacy_metadata_serializer
        @json_load = json_load_kind(@serializer)
      end

      def inspect
        "#<#{self.class.name}:#{format('%#016x', object_id << 1)}>"
      end

      private

      attr_reader :serializer

      def serialize(value)
        case @json_load
        when :load then Railsess::JSON.dump_like_json_gem(value)
        when :parse then Railsess::JSON.encode(value)
        else @serializer.dump(value)
        end
      end

      # The core generator's mode (Native.json_generate) `serialize` writes plain values with;
      # nil when it does not use the core.
      def json_generate_mode
        case @json_load
        when :load then Railsess::JSON.dump_mode
        when :parse then Railsess::JSON.encode_mode
        end
      end

      # 7.1+: a serializer failure is its own kind.
      def deserialize(serialized)
        load_serialized(serialized)
      rescue StandardError => e
        throw :railsess_serialization, e
      end

      # 6.1/7.0: the serializer's errors propagate; each caller rescues what Rails rescued.
      def deserialize_61(serialized)
        load_serialized(serialized)
      end

      # The JSON serializers' `load`, parsed natively where that gives Ruby's exact result.
      def load_serialized(serialized)
        case @json_load
        when :parse
          return @serializer.load(serialized) if Railsess::JSON.parse_json_times?

          Railsess::JSON.parse(serialized) { @serializer.load(serialized) }
        when :load then Railsess::JSON.load_like_json_gem(serialized)
        else @serializer.load(serialized)
        end
      end

      # `[max_nesting, create_id]` when the core can read this message's JSON in the same call
      # that decrypts/verifies it; nil otherwise.
      def json_fast_args
        return nil unless @json_load && @native
        return nil if @json_load == :parse && Railsess::JSON.parse_json_times?

        Railsess::JSON.core_args(@json_load)
      end

      # The fast paths (decrypt_json / verified_json) hand Ruby's path what they opened when it
      # must decide: `[Native::JSON_GENERAL, plaintext]` (nil: not authentic), or
      # `[Native::JSON_GENERAL, nil, error]` for a message that did not decrypt. The message is
      # then never decrypted or verified a second time.
      def opened?(value)
        value.is_a?(Array) && value.first.equal?(Native::JSON_GENERAL)
      end

      # Whether a message without metadata fails for this purpose: 6.1/7.0 compare `to_s`,
      # 7.1+ ask whether any purpose was given.
      def require_metadata?(purpose)
        if @compat.codec_71?
          purpose ? true : false
        else
          !purpose.to_s.empty?
        end
      end

      def json_load_kind(serializer)
        return :load if serializer.equal?(::JSON)
        return :parse if serializer.equal?(Railsess::JSON) || Serializers.json_with_fallback?(serializer)

        # ActiveSupport::JSON has a public `load` only from 7.1 (6.1's raises NoMethodError).
        as_json = Compat.active_support_const("ActiveSupport::JSON")
        :parse if as_json && serializer.equal?(as_json) && serializer.respond_to?(:load)
      end

      BLANK = /\A[[:space:]]*\z/

      # ActiveSupport's String#blank?, including its handling of non-ASCII-compatible encodings.
      def blank?(string)
        string.empty? || BLANK.match?(string)
      rescue Encoding::CompatibilityError
        Regexp.new(BLANK.source.encode(string.encoding), Regexp::FIXEDENCODING).match?(string)
      end

      # The digest names the core runs. ActiveSupport 6.1 looks digests up as constants
      # (`OpenSSL::Digest.const_get`), so only the exact upper-case names work there.
      def native_digest?(digest)
        digest.is_a?(String) && Native::DIGESTS.include?(@compat.rails_61? ? digest : digest.upcase)
      end

      # ActiveSupport 7.1's catch protocol around a read (catch_and_raise / catch_and_ignore of
      # :invalid_message_format, :invalid_message_serialization, :invalid_message_content): each
      # kind of failure the read throws is ignored (nil), raised as thrown (`:raise`), or raised
      # as the given error class.
      def read_caught(format:, serialization:, content:, &read)
        catching(:railsess_format, format) do
          catching(:railsess_serialization, serialization) { catching(:railsess_content, content, &read) }
        end
      end

      def catching(tag, outcome, &)
        return catch_and_ignore(tag, &) if outcome == :ignore

        catch_and_raise(tag, as: outcome == :raise ? nil : outcome, &)
      end

      def catch_and_ignore(tag)
        catch(tag) { return yield }
        nil
      end

      def catch_and_raise(tag, as: nil)
        error = catch(tag) { return yield }
        error = as.raisable.new(error.to_s) if as
        raise error
      end
    end
  end
end
