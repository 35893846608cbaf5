# frozen_string_literal: true

require "railsess/pure/aes"

module Railsess
  module Native
    module Pure
      # AES-256-CBC with PKCS#7 padding and a random 16-byte IV (railsess-core's cbc.rs); the
      # encryptor signs `b64(ciphertext) "--" b64(iv)`.
      class Cbc < Aes
        IV_LEN = 16

        # [ciphertext, iv]
        def seal(plain)
          cipher = cipher("aes-256-cbc", :encrypt, plain)
          iv = cipher.random_iv
          [cipher.update(plain) + cipher.final, iv]
        end

        def open(ciphertext, nonce)
          raise CipherArgumentError, "iv must be #{IV_LEN} bytes" unless nonce.bytesize == IV_LEN

          cipher = cipher("aes-256-cbc", :decrypt, ciphertext)
          cipher.iv = nonce
          cipher.update(ciphertext) + cipher.final
        rescue OpenSSL::Cipher::CipherError
          raise FormatError, "invalid message format: bad decrypt"
        end
      end
    end
  end
end
