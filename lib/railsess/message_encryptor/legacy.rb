# frozen_string_literal: true

require "railsess/messages/codec"

module Railsess
  class MessageEncryptor < Messages::Codec
    # Rails 6.1 and 7.0's MessageEncryptor#decrypt_and_verify (Compat::Level#codec_71? false):
    # errors are raised where 7.1+ throws, a nil result or a failure tries the rotations, the
    # message is `split("--")`.
    module Legacy
      private

      def decrypt_and_verify_61(message, purpose, on_rotation, opened = nil)
        if @fallback
          @fallback.decrypt_and_verify(message, purpose: purpose)
        else
          read_61_rescuing(opened ? opened_plain_61(opened) : decrypt_61(message), purpose)
        end
      rescue InvalidMessage, MessageVerifier::InvalidSignature, *fallback_errors
        run_rotations(on_rotation) { |rotation| rotation.decrypt_and_verify(message, purpose: purpose) } || raise
      end

      # `_decrypt` in 6.1 turns TypeError/ArgumentError (bad base64, bad IV) into InvalidMessage;
      # other serializer errors (JSON::ParserError) propagate.
      def read_61_rescuing(plain, purpose)
        read_61(plain, purpose)
      rescue TypeError, ArgumentError
        raise InvalidMessage.raisable
      end

      def decrypt_61(message)
        # 6.1/7.0 `split("--")` the message (6.1's CBC verifier too): a non-ASCII-compatible
        # String (UTF-16) raises Encoding::CompatibilityError there.
        if message.is_a?(String) && !message.encoding.ascii_compatible?
          message.split("--") if gcm? || (@compat.rails_61? && !blank?(message))
          raise MessageVerifier::InvalidSignature.raisable # 6.1 blank, or 7.0: the verifier rejects it
        end
        unless message.is_a?(String)
          if gcm?
            message.split("--")
          elsif !message.nil?
            message.valid_encoding?
          end
          raise(gcm? ? InvalidMessage.raisable : MessageVerifier::InvalidSignature.raisable)
        end
        @native.decrypt(message)
      rescue Native::FormatError, Native::SignatureError, Native::CipherArgumentError => e
        native_failure_61(e)
      end

      def opened_plain_61((_, plain, error))
        native_failure_61(error) if error
        plain
      end

      def native_failure_61(error)
        raise MessageVerifier::InvalidSignature.raisable if error.is_a?(Native::SignatureError)

        raise InvalidMessage.raisable
      end
    end
  end
end
