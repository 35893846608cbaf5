# frozen_string_literal: true

require "openssl"

module Railsess
  # Drop-in for ActiveSupport::KeyGenerator: PBKDF2-HMAC(digest, secret, salt, iterations, size).
  #
  #   Railsess::KeyGenerator.new(secret_key_base, iterations: 1000).generate_key("signed cookie")
  #
  # The class default digest follows ActiveSupport 7.0+'s `KeyGenerator.hash_digest_class`
  # (`config.active_support.key_generator_hash_digest_class`) and is SHA1 otherwise.
  # ActiveSupport 6.1 ignores `hash_digest_class:`; railsess honours it with every version.
  class KeyGenerator
    NATIVE_DIGESTS = {
      OpenSSL::Digest::SHA1 => "SHA1", OpenSSL::Digest::SHA256 => "SHA256",
      OpenSSL::Digest::SHA384 => "SHA384", OpenSSL::Digest::SHA512 => "SHA512"
    }.freeze
    # OpenSSL takes C ints (larger values are a RangeError there); keys beyond 1 MiB are left to
    # OpenSSL too, so a silly size never becomes a native allocation.
    MAX_ITERATIONS = (2**31) - 1
    MAX_NATIVE_KEY_SIZE = 2**20

    class << self
      def hash_digest_class=(klass)
        unless klass.is_a?(Class) && klass < OpenSSL::Digest
          raise ArgumentError, "#{klass} is expected to be an OpenSSL::Digest subclass"
        end

        @hash_digest_class = klass
      end

      def hash_digest_class
        return @hash_digest_class if @hash_digest_class

        as_generator = Compat.active_support_const("ActiveSupport::KeyGenerator")
        if as_generator.respond_to?(:hash_digest_class)
          as_generator.hash_digest_class
        else
          OpenSSL::Digest::SHA1
        end
      end
    end

    def initialize(secret, options = {})
      @secret = secret
      @iterations = options[:iterations] || (2**16)
      @hash_digest_class = options[:hash_digest_class] || self.class.hash_digest_class
    end

    # Anything outside the native domain (other digests, odd arguments) goes to the same
    # OpenSSL call ActiveSupport makes, so results and errors are identical.
    def generate_key(salt, key_size = 64)
      digest = NATIVE_DIGESTS[@hash_digest_class]
      if digest && native_arguments?(salt, key_size)
        Native.pbkdf2(digest, @secret, salt, @iterations, key_size)
      else
        OpenSSL::PKCS5.pbkdf2_hmac(@secret, salt, @iterations, key_size, @hash_digest_class.new)
      end
    end

    def inspect
      "#<#{self.class.name}:#{format('%#016x', object_id << 1)}>"
    end

    private

    def native_arguments?(salt, key_size)
      @secret.is_a?(String) && salt.is_a?(String) &&
        @iterations.is_a?(Integer) && @iterations.between?(1, MAX_ITERATIONS) &&
        key_size.is_a?(Integer) && key_size.between?(1, MAX_NATIVE_KEY_SIZE)
    end
  end
end
