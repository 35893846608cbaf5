# frozen_string_literal: true

module Railsess
  module Native
    module Pure
      # Railsess::Native::Encryptor (railsess-core's encryptor.rs, ext/railsess/src/encryptor.rs):
      # ActiveSupport::MessageEncryptor without the serializer.
      #   aes-256-gcm: b64(ciphertext) "--" b64(iv: 12 bytes) "--" b64(auth tag: 16 bytes)
      #   aes-256-cbc: b64(inner) "--" hex(hmac), inner = b64(ciphertext) "--" b64(iv: 16 bytes)
      class Encryptor
        include Opaque

        class << self
          # Set through Railsess::Native.empty_data=.
          attr_accessor :empty_data

          def gcm(secret, url_safe, compat)
            new(Gcm.new(secret.b, Encryptor.empty_data), nil, url_safe && compat >= 71, compat)
          end

          def cbc(secret, sign_secret, digest, url_safe, compat)
            url_safe &&= compat >= 71
            signer = Signer.new(sign_secret, digest, url_safe, compat)
            new(Cbc.new(secret.b, Encryptor.empty_data), signer, url_safe, compat)
          end

          private :new
        end

        def initialize(cipher, signer, url_safe, compat)
          @cipher = cipher
          @signer = signer # CBC only
          @url_safe = url_safe ? true : false
          @compat = compat
        end

        def encrypt(plain)
          parts = @cipher.seal(Pure.bytes(plain))
          message = parts.map { |part| Codec.encode(part, @url_safe) }.join(Codec::SEPARATOR)
          Codec.message_string(@signer ? @signer.sign(message) : message, @compat)
        end

        def encrypt_enveloped(serialized, exp, pur)
          encrypt(Metadata.wrap(Pure.bytes(serialized), exp, pur))
        end

        # The JSON fast path declines: Ruby writes the 7.1+ envelope.
        def encrypt_json_envelope(_data, _mode, _exp, _pur) = nil

        # The plaintext (a binary String), or `[message, exp, pur]` for a legacy envelope.
        def decrypt(message)
          Pure.count_opened
          message = message.b
          plain = if @signer
                    inner = @signer.verified(message) || raise(SignatureError, "invalid signature")
                    ciphertext, iv, = extract_parts(inner, false)
                    @cipher.open(ciphertext, iv)
                  else
                    @cipher.open(*extract_parts(message, true))
                  end
          Metadata.plaintext(plain)
        end

        # The JSON fast path declines: what it opened, for Ruby's path (Messages::Codec#opened?).
        def decrypt_json(message, *, general)
          [general, decrypt(message)]
        end

        private

        # [ciphertext, iv, tag] as the configured Rails version splits and decodes `ct--iv[--tag]`.
        def extract_parts(message, with_tag)
          return split_left(message, with_tag) if @compat <= 70

          # 7.1+: the tag and the IV are cut off the right by their encoded lengths.
          stop = message.bytesize
          tag = "".b
          if with_tag
            part, stop = Codec.part_before(message, stop, Codec.encoded_len(Gcm::TAG_LEN, @url_safe))
            tag = Codec.decode(part, @url_safe)
          end
          iv_len = with_tag ? Gcm::IV_LEN : Cbc::IV_LEN
          iv_part, stop = Codec.part_before(message, stop, Codec.encoded_len(iv_len, @url_safe))
          ciphertext = Codec.decode(message.byteslice(0, stop), @url_safe)
          [ciphertext, Codec.decode(iv_part, @url_safe), tag]
        end

        # 6.1/7.0: `message.split("--").map { |v| strict_decode64(v) }`: every field is decoded (so
        # extra ones must be base64 too), missing ones are nil.
        def split_left(message, with_tag)
          ciphertext, iv, tag = message.split(Codec::SEPARATOR).map { |field| Codec.strict_decode(field) }
          if with_tag && (tag.nil? || tag.bytesize != Gcm::TAG_LEN)
            raise FormatError, "invalid message format: truncated auth_tag"
          end
          raise FormatError, "invalid message format: missing iv" unless iv
          raise FormatError, "invalid message format: missing data" unless ciphertext

          [ciphertext, iv, tag || "".b]
        end
      end
    end
  end
end
