# frozen_string_literal: true

require "openssl"
require "railsess/messages/codec"
require "railsess/messages/rotator"
require "railsess/message_verifier/legacy"

module Railsess
  # Drop-in for ActiveSupport::MessageVerifier, byte-compatible with Rails 6.1 to 8.1.
  #
  #   verifier = Railsess::MessageVerifier.new(secret, digest: "SHA256", serializer: JSON)
  #   token = verifier.generate({ "id" => 1 }, purpose: :login, expires_in: 3600)
  #   verifier.verified(token, purpose: :login) # => {"id"=>1}, or nil
  #   verifier.verify(token)                   # raises InvalidSignature (wrong purpose)
  #
  # Wire format: b64(data) "--" hex(HMAC(digest, secret, b64(data))), where data is the
  # serializer's output (in the `_rails` envelope with purpose/expiry). Digests SHA1 (default),
  # SHA256, SHA384 and SHA512 run natively; others are handed to ActiveSupport when loaded.
  class MessageVerifier < Messages::Codec
    prepend Messages::Rotator
    include Legacy

    InvalidSignature = ErrorBridge.build("ActiveSupport::MessageVerifier::InvalidSignature")
    NATIVE_DIGESTS = Native::DIGESTS

    def initialize(secret, digest: nil, serializer: nil, url_safe: false, force_legacy_metadata_serializer: false,
                   rails_version: nil, **)
      raise ArgumentError, "Secret should not be nil." unless secret

      super(serializer: serializer, url_safe: url_safe,
            force_legacy_metadata_serializer: force_legacy_metadata_serializer, rails_version: rails_version)
      raise ArgumentError, "railsess: url_safe: needs Rails 7.1+ behaviour" if @url_safe && !@compat.codec_71?

      @secret = secret
      @digest_option = digest
      @digest = digest.is_a?(String) || digest.nil? ? digest || "SHA1" : digest.to_s
      if secret.is_a?(String) && (digest.nil? || native_digest?(digest))
        Native.alphabet_fallback = @alphabet_fallback
        @native = Native::Verifier.new(secret, @digest, @url_safe, @compat.code)
      else
        @fallback = build_fallback
      end
    end

    def valid_message?(message) # rubocop:disable Metrics/CyclomaticComplexity, Metrics/PerceivedComplexity
      return @fallback.valid_message?(message) if @fallback

      if @compat.rails_61?
        return nil if message.nil? || !message.valid_encoding? || blank?(message)

        message.split("--") unless message.encoding.ascii_compatible? # raises, as 6.1's split does
      elsif @compat.rails_70?
        return false if message.nil? || !message.valid_encoding? || message.empty?
      elsif message.nil? || !message.valid_encoding?
        return false
      end
      return false unless message.encoding.ascii_compatible? # never matches the "--" separator

      @native.valid?(message)
    end

    def verified(message, purpose: nil, on_rotation: @on_rotation, **)
      if message.is_a?(String) && (args = json_fast_args)
        value = verified_json(message, purpose, args)
        if opened?(value)
          return nil if value[1].nil? && @rotations.empty? # not authentic: nothing else could read it

          opened = value
        elsif !value.equal?(Native::JSON_GENERAL)
          return nil if value.equal?(Native::JSON_CONTENT)
          return value if value || @compat.codec_71?

          # 6.1/7.0 try the rotations whenever the value is falsy (`verified || rotations`).
          return run_rotations(on_rotation) { |r| r.verified(message, purpose: purpose) }
        end
      end
      return verified_61(message, purpose, on_rotation, opened) unless @compat.codec_71?

      read_caught(format: :ignore, serialization: :raise, content: :ignore) do
        read_message(message, purpose: purpose, on_rotation: on_rotation, opened: opened)
      end
    end

    def verify(message, purpose: nil, on_rotation: @on_rotation, **)
      if message.is_a?(String) && (args = json_fast_args)
        value = verified_json(message, purpose, args, content_final: verify_content_final?)
        if opened?(value)
          opened = value
        elsif !value.equal?(Native::JSON_GENERAL)
          raise InvalidSignature.raisable if value.equal?(Native::JSON_CONTENT)
          return value if value || @compat.codec_71?

          # 6.1/7.0: `verified || raise`, after the rotations.
          return run_rotations(on_rotation) { |r| r.verified(message, purpose: purpose) } ||
                 raise(InvalidSignature.raisable)
        end
      end
      unless @compat.codec_71?
        return verified_61(message, purpose, on_rotation, opened) || raise(InvalidSignature.raisable)
      end

      read_caught(format: InvalidSignature, serialization: :raise, content: InvalidSignature) do
        read_message(message, purpose: purpose, on_rotation: on_rotation, opened: opened)
      end
    end

    def generate(value, expires_at: nil, expires_in: nil, purpose: nil, **)
      return @fallback.generate(value, expires_at: expires_at, expires_in: expires_in, purpose: purpose) if @fallback

      create_message_with_metadata(value, expires_at, expires_in, purpose)
    end

    # Rails 7.1+'s internal protocol (used by rotations and the encryptor): throws. `opened`:
    # what verified_json already verified (see Codec#opened?).
    def read_message(message, purpose: nil, opened: nil)
      return read_with_fallback(message, purpose) if @fallback

      plain = opened ? opened[1] : verify_plain(message)
      deserialize_with_metadata(plain || throw(:railsess_format, "mismatched digest"), purpose)
    end

    private

    def verify_plain(message)
      throw :railsess_format, "invalid message string" if message.nil? || !message.valid_encoding?
      throw :railsess_format, "missing separator" unless message.encoding.ascii_compatible?
      @native.verified(message)
    end

    # The JSON fast path: verify, metadata and JSON in one native call. Returns the value,
    # JSON_CONTENT (a mismatched purpose, where that is the answer), what it opened (see
    # Codec#opened?), or JSON_GENERAL for a String the full path must look at itself.
    # 7.1+ raises with the reason ("mismatched purpose", "expired"): Ruby's path words it.
    def verify_content_final? = !@compat.codec_71? && @rotations.empty?

    # `content_final`: whether a mismatched purpose or an expiry is the answer here (nil): not
    # for 6.1/7.0 with rotations, which try them on it too.
    def verified_json(message, purpose, (max_nesting, create_id), content_final: @compat.codec_71? || @rotations.empty?)
      return Native::JSON_GENERAL unless message.valid_encoding? && message.encoding.ascii_compatible?

      @native.verified_json(message, purpose.to_s, require_metadata?(purpose), max_nesting, create_id, content_final,
                            Native::JSON_CONTENT, Native::JSON_GENERAL)
    end

    def write(serialized)
      @native.generate(serialized)
    end

    def write_enveloped(serialized, expiry, purpose)
      @native.generate_enveloped(serialized, expiry, purpose)
    end

    def write_json_envelope(value, mode, expiry, purpose)
      @native.generate_json_envelope(value, mode, expiry, purpose)
    end

    def read_with_fallback(message, purpose)
      @fallback.verify(message, purpose: purpose)
    rescue InvalidSignature,
           *Array(Compat.active_support_const("ActiveSupport::MessageVerifier::InvalidSignature")) => e
      throw :railsess_format, e.message
    end

    def build_fallback
      as_verifier = Compat.active_support_const("ActiveSupport::MessageVerifier")
      unless as_verifier
        raise ArgumentError, "railsess: digest #{@digest.inspect} needs ActiveSupport " \
                             "(natively: #{NATIVE_DIGESTS.join(', ')})"
      end

      options = { digest: @digest_option, serializer: @serializer }
      if @compat.codec_71?
        options[:url_safe] = @url_safe
        options[:force_legacy_metadata_serializer] = @force_legacy_metadata_serializer
      end
      as_verifier.new(@secret, **options)
    end
  end
end
