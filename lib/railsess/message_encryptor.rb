# frozen_string_literal: true

require "openssl"
require "railsess/messages/codec"
require "railsess/messages/rotator"
require "railsess/message_verifier"
require "railsess/message_encryptor/legacy"

module Railsess
  # Drop-in for ActiveSupport::MessageEncryptor, byte-compatible with Rails 6.1 to 8.1.
  #
  #   key = Railsess::KeyGenerator.new(secret_key_base, iterations: 1000)
  #           .generate_key("authenticated encrypted cookie", 32)
  #   crypt = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: JSON)
  #   crypt.decrypt_and_verify(crypt.encrypt_and_sign({ "id" => 1 }, purpose: "login"), purpose: "login")
  #
  # Wire formats (base64 strict, or url-safe without padding with `url_safe: true`):
  #   aes-256-gcm:  b64(ciphertext) "--" b64(iv: 12 bytes) "--" b64(auth tag: 16 bytes)
  #   aes-256-cbc:  b64(inner) "--" hex(HMAC(digest || SHA1, sign_secret || secret, b64(inner)))
  #                 where inner = b64(ciphertext) "--" b64(iv: 16 bytes)
  # The plaintext is the serializer's output, in the `_rails` metadata envelope when a purpose
  # or expiry is given (see Messages::Metadata).
  #
  # Failures are ActiveSupport's: InvalidMessage (or, for a bad CBC signature under 6.1/7.0,
  # MessageVerifier::InvalidSignature); nil for a wrong purpose or an expired message. Ciphers
  # other than aes-256-gcm/aes-256-cbc are handed to ActiveSupport when it is loaded.
  class MessageEncryptor < Messages::Codec
    prepend Messages::Rotator
    include Legacy

    InvalidMessage = ErrorBridge.build("ActiveSupport::MessageEncryptor::InvalidMessage")
    OpenSSLCipherError = OpenSSL::Cipher::CipherError

    # Cookie jars serialize values themselves and pass this (or ActiveSupport's twin).
    module NullSerializer
      def self.load(value) = value
      def self.dump(value) = value
    end

    NATIVE_CIPHERS = { "aes-256-gcm" => :gcm, "aes-256-cbc" => :cbc }.freeze

    class << self
      # ActiveSupport's default (CBC unless `use_authenticated_message_encryption`); without
      # ActiveSupport, Rails 8.1's: GCM.
      def default_cipher
        as_encryptor = Compat.active_support_const("ActiveSupport::MessageEncryptor")
        as_encryptor ? as_encryptor.default_cipher : "aes-256-gcm"
      end

      def key_len(cipher = default_cipher)
        OpenSSL::Cipher.new(cipher).key_len
      end
    end

    def initialize(secret, sign_secret = nil, cipher: nil, digest: nil, serializer: nil, url_safe: false,
                   force_legacy_metadata_serializer: false, rails_version: nil, **)
      super(serializer: serializer, url_safe: url_safe,
            force_legacy_metadata_serializer: force_legacy_metadata_serializer, rails_version: rails_version)
      raise ArgumentError, "railsess: url_safe: needs Rails 7.1+ behaviour" if @url_safe && !@compat.codec_71?

      @secret = secret
      @sign_secret = sign_secret
      @cipher = cipher || self.class.default_cipher
      OpenSSL::Cipher.new(@cipher) unless @cipher.is_a?(String) # a TypeError, as in ActiveSupport
      @digest = digest
      @native = build_native
      @fallback = build_fallback unless @native
    end

    def encrypt_and_sign(value, expires_at: nil, expires_in: nil, purpose: nil, **)
      if @fallback
        return @fallback.encrypt_and_sign(value, expires_at: expires_at, expires_in: expires_in, purpose: purpose)
      end

      create_message_with_metadata(value, expires_at, expires_in, purpose)
    end

    def decrypt_and_verify(message, purpose: nil, on_rotation: @on_rotation, **)
      if message.is_a?(String) && message.encoding.ascii_compatible? && (args = json_fast_args)
        opened = decrypt_json(message, purpose, args)
        return opened unless opened?(opened)
      end
      return decrypt_and_verify_61(message, purpose, on_rotation, opened) unless @compat.codec_71?

      read_caught(format: InvalidMessage, serialization: InvalidMessage, content: :ignore) do
        read_message(message, purpose: purpose, on_rotation: on_rotation, opened: opened)
      end
    end

    # Rails 7.1+'s internal protocol (used by rotations): throws instead of raising. `opened`:
    # what decrypt_json already opened (see Codec#opened?).
    def read_message(message, purpose: nil, opened: nil)
      return read_with_fallback(message, purpose) if @fallback

      deserialize_with_metadata(opened ? opened_plain(opened) : decrypt(message), purpose)
    end

    private

    def write(serialized)
      native_write { @native.encrypt(serialized) }
    end

    def write_enveloped(serialized, expiry, purpose)
      native_write { @native.encrypt_enveloped(serialized, expiry, purpose) }
    end

    def write_json_envelope(value, mode, expiry, purpose)
      native_write { @native.encrypt_json_envelope(value, mode, expiry, purpose) }
    end

    def native_write
      yield
    rescue Native::CipherArgumentError => e
      raise ::ArgumentError, e.message
    end

    # The JSON fast path: decrypt, metadata and JSON in one native call. Anything unusual,
    # failures included, comes back opened (Codec#opened?) and takes the full path below, which
    # raises exactly what Rails raises and tries the rotations.
    def decrypt_json(message, purpose, (max_nesting, create_id))
      value = @native.decrypt_json(message, purpose.to_s, require_metadata?(purpose), max_nesting, create_id,
                                   Native::JSON_CONTENT, Native::JSON_GENERAL)
      value.equal?(Native::JSON_CONTENT) ? nil : value
    rescue Native::FormatError, Native::SignatureError, Native::CipherArgumentError => e
      [Native::JSON_GENERAL, nil, e]
    end

    # --- Rails 7.1+ -------------------------------------------------------------------------

    def decrypt(message)
      not_a_string(message) unless message.is_a?(String)
      # A UTF-16 (non-ASCII-compatible) String never matches Rails' "--" separators.
      throw :railsess_format, "missing separator" unless message.encoding.ascii_compatible?
      @native.decrypt(message)
    rescue Native::FormatError, Native::SignatureError, Native::CipherArgumentError => e
      native_failure(e)
    end

    def opened_plain((_, plain, error))
      native_failure(error) if error
      plain
    end

    def native_failure(error)
      raise ::ArgumentError, error.message if error.is_a?(Native::CipherArgumentError)

      throw :railsess_format, error.message
    end

    # What ActiveSupport 7.1+ does with a non-String: GCM asks it for `length`, CBC's verifier
    # for `valid_encoding?` (nil is an invalid message there).
    def not_a_string(message)
      if gcm?
        index = message.length - (@url_safe ? 22 : 24) # the encoded auth tag's length
        message[index - 2, 2] # ActiveSupport's separator check (a Hash raises ArgumentError here)
      elsif !message.nil?
        message.valid_encoding?
      end
      throw :railsess_format, "invalid message string"
    end

    def read_with_fallback(message, purpose)
      @fallback.decrypt_and_verify(message, purpose: purpose)
    rescue InvalidMessage, MessageVerifier::InvalidSignature, *fallback_errors => e
      throw :railsess_format, e.message
    end

    # --- construction -----------------------------------------------------------------------

    def gcm?
      NATIVE_CIPHERS[@cipher.to_s.downcase] == :gcm
    end

    def build_native
      kind = NATIVE_CIPHERS[@cipher.to_s.downcase]
      return unless kind && @secret.is_a?(String) && @secret.bytesize == 32
      return Native::Encryptor.gcm(@secret, @url_safe, @compat.code) if kind == :gcm

      sign_secret = @sign_secret || @secret
      return unless sign_secret.is_a?(String) && (@digest.nil? || native_digest?(@digest))

      Native.alphabet_fallback = @alphabet_fallback
      Native::Encryptor.cbc(@secret, sign_secret, @digest || "SHA1", @url_safe, @compat.code)
    end

    # ActiveSupport handles what the core does not (other ciphers, digests, key types/sizes):
    # identical results and errors. Without ActiveSupport, an unsupported cipher or digest is an
    # ArgumentError now, and an unusable key fails as OpenSSL would, at use.
    def build_fallback
      as_encryptor = Compat.active_support_const("ActiveSupport::MessageEncryptor")
      return KeyFailure.new(@secret, @sign_secret, @compat) if as_encryptor.nil? && native_cipher_and_digest?

      unless as_encryptor
        raise ArgumentError, "railsess: cipher #{@cipher.inspect} with digest #{@digest.inspect} needs " \
                             "ActiveSupport (natively: #{NATIVE_CIPHERS.keys.join(', ')} with " \
                             "#{MessageVerifier::NATIVE_DIGESTS.join('/')})"
      end

      options = { cipher: @cipher, digest: @digest, serializer: @serializer }
      if @compat.codec_71?
        options[:url_safe] = @url_safe
        options[:force_legacy_metadata_serializer] = @force_legacy_metadata_serializer
      end
      as_encryptor.new(@secret, @sign_secret, **options)
    end

    def native_cipher_and_digest?
      kind = NATIVE_CIPHERS[@cipher.to_s.downcase]
      kind == :gcm || (kind == :cbc && (@digest.nil? || native_digest?(@digest)))
    end

    def fallback_errors
      [Compat.active_support_const("ActiveSupport::MessageEncryptor::InvalidMessage"),
       Compat.active_support_const("ActiveSupport::MessageVerifier::InvalidSignature")].compact
    end

    # Stands in for an encryptor whose key OpenSSL would refuse, when ActiveSupport is not there
    # to do it: raises what OpenSSL raises inside ActiveSupport, at the same moment (use, not
    # construction). Decrypting turned that into InvalidMessage before Rails 7.1.
    class KeyFailure
      def initialize(secret, sign_secret, compat)
        @compat = compat
        bad = [secret, sign_secret].compact.find { |s| !s.is_a?(String) }
        @error = if bad
                   TypeError.new("no implicit conversion of #{bad.class} into String")
                 else
                   ArgumentError.new("key must be 32 bytes")
                 end
      end

      def encrypt_and_sign(*, **)
        raise @error
      end

      def decrypt_and_verify(*, **)
        raise InvalidMessage.raisable unless @compat.codec_71?

        raise @error
      end
    end
    private_constant :KeyFailure
  end
end
