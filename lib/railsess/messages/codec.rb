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
        @serializer = Serializers.resolve(serializer || self.class.default_serializer)
        @url_safe = url_safe ? true : false
        @force_legacy_metadata_serializer = force_legacy_metadata_serializer
      end

      def inspect
        "#<#{self.class.name}:#{format('%#016x', object_id << 1)}>"
      end

      private

      attr_reader :serializer

      def serialize(value)
        @serializer.dump(value)
      end

      # 7.1+: a serializer failure is its own kind.
      def deserialize(serialized)
        @serializer.load(serialized)
      rescue StandardError => e
        throw :railsess_serialization, e
      end

      # 6.1/7.0: the serializer's errors propagate; each caller rescues what Rails rescued.
      def deserialize_61(serialized)
        @serializer.load(serialized)
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
