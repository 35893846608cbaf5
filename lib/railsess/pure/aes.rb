# frozen_string_literal: true

require "openssl"

module Railsess
  module Native
    module Pure
      # What gcm.rb and cbc.rb share: the 32-byte key, and empty data refused unless the loaded
      # openssl gem encrypts it (Native.empty_data).
      class Aes
        def initialize(key, empty_data)
          @key = key
          @empty_data = empty_data
        end

        private

        # A fresh OpenSSL cipher for `direction` (:encrypt / :decrypt) with the key set.
        def cipher(name, direction, data)
          raise CipherArgumentError, "data must not be empty" if data.empty? && !@empty_data

          OpenSSL::Cipher.new(name).public_send(direction).tap { |c| c.key = @key }
        end
      end
    end
  end
end
