# frozen_string_literal: true

require "base64"

module Railsess
  module Messages
    module Metadata
      # Rails 6.1 and 7.0's Messages::Metadata (Compat::Level#codec_71? false): the metadata is
      # looked for in the decrypted text before the serializer runs, and errors are raised.
      module Legacy
        private

        # ActiveSupport 6.1/7.0: Messages::Metadata.verify, then the serializer. Errors are raised
        # (not thrown) here; each class rescues what its 6.1 code rescues.
        def read_61(plain, purpose)
          message =
            if plain.is_a?(Array)
              message, exp, pur = plain
              raise ArgumentError, "invalid base64" unless message

              verify_61(message, exp, pur, purpose)
            else
              # What JSON.decode does to the plaintext while Rails looks for metadata in it.
              plain.force_encoding(::Encoding::UTF_8) if Compat.json_parse_retags_source?
              if plain.include?("_rails") || plain.include?("\\u")
                legacy_verify(plain, purpose)
              elsif purpose.to_s.empty?
                plain
              end
            end
          message && deserialize_61(message)
        end

        # Metadata.new parses the expiry first (a bad one raises), then #verify checks purpose
        # and freshness.
        def verify_61(message, exp, pur, purpose)
          exp_ms = exp.is_a?(String) && Native.iso8601_millis(exp)
          return (message if pur.to_s == purpose.to_s && now_millis < exp_ms) if exp_ms

          expires_at = exp.is_a?(String) ? parse_expiry(exp) : exp
          message if pur.to_s == purpose.to_s && (expires_at.nil? || Time.now.utc < expires_at)
        end

        # ActiveSupport 6.1's Metadata.extract_metadata + #verify, for anything not canonical.
        def legacy_verify(plain, purpose)
          data = begin
            Railsess::JSON.decode(plain)
          rescue StandardError
            nil
          end
          if data.is_a?(Hash) && data.key?("_rails")
            rails = data["_rails"]
            verify_61(::Base64.strict_decode64(rails["message"]), rails["exp"], rails["pur"], purpose)
          elsif purpose.to_s.empty?
            plain
          end
        end
      end
    end
  end
end
