# frozen_string_literal: true

require "openssl"

module Railsess
  module Native
    module Pure
      # railsess-core's MessageVerifier (verifier.rs): `b64(data) "--" hex(HMAC(digest, secret,
      # b64(data)))`, for Verifier and for the CBC encryptor's signature.
      class Signer
        include Opaque

        @alphabet_fallback = true
        class << self
          # Set through Railsess::Native.alphabet_fallback=.
          attr_accessor :alphabet_fallback
        end

        def initialize(secret, digest, url_safe, compat)
          @secret = secret.b
          @digest = digest.upcase
          @url_safe = url_safe
          @compat = compat
          @alphabet_fallback = compat >= 72 && Signer.alphabet_fallback ? true : false
          @hex_len = OpenSSL::Digest.new(@digest).digest_length * 2
        end

        # Encodes `data` and appends the digest of the encoding.
        def sign(data)
          encoded = Codec.encode(data, @url_safe)
          "#{encoded}--#{hexdigest(encoded)}"
        end

        # The decoded data, or nil for a message that is not authentic or not base64.
        def verified(signed)
          encoded = extract_encoded(signed)
          encoded && decode(encoded)
        end

        # The still-encoded data when the digest matches (valid_message?), else nil.
        def extract_encoded(signed)
          if @compat == 61
            # `data, digest = signed_message.split("--")`: further fields are ignored.
            data, digest = signed.split(Codec::SEPARATOR)
            return nil unless data && digest
          else
            # 7.0+: the digest is the last hex_len bytes, right after a separator.
            at = signed.bytesize - @hex_len - Codec::SEPARATOR.bytesize
            return nil if at.negative? || signed.byteslice(at, Codec::SEPARATOR.bytesize) != Codec::SEPARATOR

            data = signed.byteslice(0, at)
            digest = signed.byteslice(at + Codec::SEPARATOR.bytesize, @hex_len)
          end
          return nil if Codec.blank?(data) || Codec.blank?(digest)

          data if OpenSSL.secure_compare(hexdigest(data), digest)
        end

        private

        # Lowercase hex, compared as is: an upper-case digest does not match.
        def hexdigest(data)
          OpenSSL::HMAC.hexdigest(@digest, @secret, data)
        end

        # 7.1+ decode the url-safe alphabet; 7.2 (ActiveSupport 7.2.3+) also tries the other one.
        def decode(encoded)
          url_safe = @url_safe && @compat >= 71
          try_decode(encoded, url_safe) || (try_decode(encoded, !url_safe) if @alphabet_fallback)
        end

        def try_decode(encoded, url_safe)
          Codec.decode(encoded, url_safe)
        rescue FormatError
          nil
        end
      end

      # Railsess::Native::Verifier (ext/railsess/src/verifier.rs): ActiveSupport::MessageVerifier
      # without the serializer.
      class Verifier
        include Opaque

        def initialize(secret, digest, url_safe, compat)
          @compat = compat
          @signer = Signer.new(secret, digest, url_safe ? true : false, compat)
        end

        def generate(data)
          Codec.message_string(@signer.sign(Pure.bytes(data)), @compat)
        end

        def generate_enveloped(serialized, exp, pur)
          generate(Metadata.wrap(Pure.bytes(serialized), exp, pur))
        end

        # The JSON fast path declines: Ruby writes the 7.1+ envelope.
        def generate_json_envelope(_data, _mode, _exp, _pur) = nil

        # The data (a binary String), `[message, exp, pur]` for a legacy envelope, or nil.
        def verified(signed)
          Pure.count_opened
          data = @signer.verified(signed.b)
          data && Metadata.plaintext(data)
        end

        def valid?(signed)
          @signer.extract_encoded(signed.b) ? true : false
        end

        # The JSON fast path declines: what it opened, for Ruby's path (Messages::Codec#opened?).
        def verified_json(signed, *, general)
          [general, verified(signed)]
        end
      end
    end
  end
end
