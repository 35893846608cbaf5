# frozen_string_literal: true

require "railsess/messages/codec"

module Railsess
  class MessageVerifier < Messages::Codec
    # Rails 6.1 and 7.0's MessageVerifier#verified (Compat::Level#codec_71? false): nil for
    # anything invalid, and a nil result also tries the rotations.
    module Legacy
      private

      def verified_61(message, purpose, on_rotation, opened = nil)
        value = if @fallback
                  @fallback.verified(message, purpose: purpose)
                else
                  read_verified_61(message, purpose, opened)
                end
        value || run_rotations(on_rotation) { |rotation| rotation.verified(message, purpose: purpose) }
      end

      def read_verified_61(message, purpose, opened)
        plain = opened ? opened[1] : verified_plain_61(message)
        plain && read_61(plain, purpose)
      rescue ArgumentError => e
        return nil if e.message.include?("invalid base64")

        raise
      end

      def verified_plain_61(message)
        return nil if message.nil? || !message.valid_encoding?
        return nil if @compat.rails_61? ? blank?(message) : message.empty?

        unless message.encoding.ascii_compatible?
          message.split("--") if @compat.rails_61? # raises, as in 6.1
          return nil # 7.0: never matches the "--" separator
        end

        @native.verified(message)
      end
    end
  end
end
