# frozen_string_literal: true

require "openssl"

module Railsess
  module Native
    module Pure
      # AES-256-CBC with PKCS#7 padding and a random 16-byte IV (railsess-core's cbc.rs); the
      # encryptor signs `b64(ciphertext) "--" b64(iv)`.
      class Cbc
        IV_LEN = 16

        def initialize(key, empty_data)
          @key = key
          @empty_data = empty_data
        end

        # [ciphertext, iv]
        def seal(plain)
          raise CipherArgumentError, "data must not be empty" if plain.empty? && !@empty_data

          cipher = OpenSSL::Cipher.new("aes-256-cbc").encrypt
          cipher.key = @key
          iv = cipher.random_iv
          [cipher.update(plain) + cipher.final, iv]
        end

        def open(ciphertext, nonce)
          raise CipherArgumentError, "iv must be #{IV_LEN} bytes" unless nonce.bytesize == IV_LEN
          raise CipherArgumentError, "data must not be empty" if ciphertext.empty? && !@empty_data

          cipher = OpenSSL::Cipher.new("aes-256-cbc").decrypt
          cipher.key = @key
          cipher.iv = nonce
          cipher.update(ciphertext) + cipher.final
        rescue OpenSSL::Cipher::CipherError
          raise FormatError, "invalid message format: bad decrypt"
        end
      end
    end
  end
end
