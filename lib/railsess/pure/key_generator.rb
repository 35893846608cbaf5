# frozen_string_literal: true

require "openssl"

module Railsess
  module Native
    module Pure
      # PBKDF2-HMAC (railsess-core's key_generator.rs) in one OpenSSL call, which holds the GVL
      # (as ActiveSupport's KeyGenerator does; the core releases it).
      module KeyGenerator
        def self.pbkdf2(digest, secret, salt, iterations, length)
          OpenSSL::PKCS5.pbkdf2_hmac(secret, salt, iterations, length, digest)
        end
      end
    end
  end
end
