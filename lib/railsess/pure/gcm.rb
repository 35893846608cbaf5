# frozen_string_literal: true

require "railsess/pure/aes"

module Railsess
  module Native
    module Pure
      # AES-256-GCM with a random 12-byte IV and no additional data (railsess-core's gcm.rs).
      class Gcm < Aes
        IV_LEN = 12
        TAG_LEN = 16

        # [ciphertext, iv, auth tag]
        def seal(plain)
          cipher = cipher("aes-256-gcm", :encrypt, plain)
          iv = cipher.random_iv
          cipher.auth_data = ""
          [cipher.update(plain) + cipher.final, iv, cipher.auth_tag]
        end

        # The checks in the order OpenSSL's setters run in Rails' decrypt: tag size, IV size, empty
        # data (refused unless the loaded openssl gem encrypts it), then authentication.
        def open(ciphertext, nonce, tag)
          raise FormatError, "invalid message format: truncated auth_tag" unless tag.bytesize == TAG_LEN
          raise CipherArgumentError, "iv must be #{IV_LEN} bytes" unless nonce.bytesize == IV_LEN

          cipher = cipher("aes-256-gcm", :decrypt, ciphertext)
          cipher.iv = nonce
          cipher.auth_tag = tag
          cipher.auth_data = ""
          cipher.update(ciphertext) + cipher.final
        rescue OpenSSL::Cipher::CipherError
          raise FormatError, "invalid message format: authentication failed"
        end
      end
    end
  end
end
