# frozen_string_literal: true

require "railsess/serializers"
require "railsess/cookie_overflow"
require "railsess/cookie_jar_recipe"

module Railsess
  # One of Rails' serialized cookie jars, `cookies.encrypted` or `cookies.signed`, as bytes in and
  # out (ActionDispatch::Cookies' Encrypted/SignedKeyRotatingCookieJar):
  #
  #   value    = cookies_serializer.dump(object)           (JSON text for :json / :hybrid)
  #   envelope = {"_rails":{"message":b64(value),"exp":..,"pur":"cookie.<name>"}}  with metadata or
  #              an expiry, else value itself (the jar passes a null serializer, so every Rails
  #              version writes this legacy envelope)
  #   encrypted: MessageEncryptor (GCM with `use_authenticated_cookie_encryption`, else CBC+HMAC-SHA1)
  #              keyed by the salts; signed: MessageVerifier(signed_cookie_digest || SHA1)
  #
  # Reading tries the purposed message, then (cookies from before metadata) the bare one, then the
  # rotations: `cookies_rotations`, `key_rotations`, and legacy CBC cookies when GCM is on (read,
  # then rewritten as GCM). A cookie that does not decode is nil, never an exception: Rails 6.1
  # lets a JSON error escape (a 500) where 7.0+ returns nil; railsess returns nil everywhere.
  class CookieCodec
    MAX_COOKIE_SIZE = 4096

    def initialize(config, kind)
      @config = config
      @kind = kind
      @serializer = cookie_serializer(config.cookies_serializer, config.compat)
      # The JSON serializers go through the messages' native JSON path (one call per cookie).
      @json = json_serializer?(config.cookies_serializer)
      @message_serializer = @json ? Railsess::JSON : MessageEncryptor::NullSerializer
      @codec = build(config.key_generator, @message_serializer)
      add_rotations(@message_serializer)
    end

    def inspect = "#<#{self.class.name} #{@kind}>"

    # [value, rewrite?] for a cookie's (unescaped) value; nil when it does not decode. `rewrite?`
    # says the cookie was read through a rotation or an old serialization and should be written
    # again in the current format.
    def load(name, message)
      return nil unless message.is_a?(String)

      rotated = false
      on_rotation = -> { rotated = true }
      data = read(message, "cookie.#{name}", on_rotation)
      data = read(message, nil, on_rotation) if data.nil?
      return nil if data.nil?
      return [data, rotated] if @json

      value, migrated = deserialize(data)
      [value, rotated || migrated]
    rescue StandardError
      nil
    end

    # The cookie value (before Rack escaping) for `value`; `expires` (a Time, or a Duration for
    # `expires_in`) also goes into the envelope so an expired cookie is rejected server-side.
    def dump(name, value, expires: nil)
      serialized = @json ? value : @serializer.dump(value)
      metadata = expires.respond_to?(:from_now) ? { expires_in: expires } : { expires_at: expires }
      metadata[:purpose] = "cookie.#{name}" if @config.use_cookies_with_metadata
      message = if @kind == :signed
                  @codec.generate(serialized,
                                  **metadata)
                else
                  @codec.encrypt_and_sign(serialized, **metadata)
                end
      check_for_overflow!(name, message)
      message
    end

    private

    def read(message, purpose, on_rotation)
      if @kind == :signed
        @codec.verified(message, purpose: purpose, on_rotation: on_rotation)
      else
        @codec.decrypt_and_verify(message, purpose: purpose, on_rotation: on_rotation)
      end
    rescue MessageEncryptor::InvalidMessage, MessageVerifier::InvalidSignature
      nil
    end

    # The jar's own deserialization of the (null-serialized) message; [value, migrated?].
    def deserialize(data)
      marshal = data.start_with?(Serializers::MARSHAL_SIGNATURE)
      value = @serializer.load(data)
      [value, marshal && reads_and_upgrades_marshal?]
    end

    def reads_and_upgrades_marshal?
      %i[hybrid json_allow_marshal message_pack_allow_marshal].include?(@config.cookies_serializer)
    end

    def check_for_overflow!(name, message)
      size = message.bytesize
      size += name.to_s.bytesize if @config.overflow_counts_name?
      return if size <= MAX_COOKIE_SIZE

      raise CookieOverflow.raisable, "#{name} cookie overflowed with size #{size} bytes"
    end

    # ActionDispatch's `cookies_serializer` mapping: nil is Marshal; 6.1/7.0's :marshal also reads
    # JSON (MarshalWithJsonFallback); :hybrid reads Marshal and writes JSON.
    def cookie_serializer(name, compat)
      fallbacks = compat.cookie_serializers_with_fallback?
      case name
      when nil, :marshal then fallbacks ? Serializers.resolve(:marshal) : MarshalWithJsonFallback
      when :hybrid then Serializers.resolve(fallbacks ? :json_allow_marshal : :hybrid)
      when Symbol then Serializers.resolve(name)
      else name
      end
    end

    def json_serializer?(name)
      name == :json
    end

    def build(keys, serializer)
      recipe = CookieJarRecipe.new(@config, key_generator: keys)
      if @kind == :signed
        recipe.verifier(MessageVerifier, **options(serializer))
      else
        recipe.encryptor(MessageEncryptor, **options(serializer))
      end
    end

    def options(serializer)
      { serializer: serializer, rails_version: @config.rails_version, force_legacy_metadata_serializer: true }
    end

    # Rails' order: cookies_rotations, then (railsess) key_rotations, then the CBC<->GCM upgrade.
    def add_rotations(serializer)
      @config.rails_rotations(@kind).each do |(*secrets)|
        opts = secrets.last.is_a?(Hash) ? secrets.pop : {}
        @codec.rotate(*secrets, **options(serializer), **opts.transform_keys(&:to_sym))
      end
      @config.key_rotations.each { |rotation| @codec.fall_back_to(rotated_codec(rotation, serializer)) }
      upgrade = upgrade_codec(@config.key_generator, serializer)
      @codec.fall_back_to(upgrade) if upgrade
    end

    # A codec for the same salts under another secret_key_base / KDF digest / iteration count,
    # with its own CBC upgrade.
    def rotated_codec(rotation, serializer)
      rotation = rotation.transform_keys(&:to_sym)
      keys = @config.key_generator_for(rotation.fetch(:secret_key_base) { @config.send(:secret_key_base_for_rotation) },
                                       rotation.fetch(:iterations, @config.iterations),
                                       rotation.fetch(:key_generator_hash_digest_class,
                                                      @config.key_generator_hash_digest_class))
      codec = build(keys, serializer)
      upgrade = upgrade_codec(keys, serializer)
      codec.fall_back_to(upgrade) if upgrade
      codec
    end

    # `upgrade_legacy_hmac_aes_cbc_cookies?`: with GCM on, CBC cookies (HMAC `cookies_digest ||
    # SHA1`) are still read; `prepare_upgrade_legacy_hmac_aes_cbc_cookies?`: with GCM off, GCM
    # cookies are read.
    def upgrade_codec(keys, serializer)
      return nil if @kind == :signed

      CookieJarRecipe.new(@config, key_generator: keys).upgrade_encryptor(MessageEncryptor, **options(serializer))
    end

    # Rails 6.1/7.0's `cookies_serializer = :marshal`: Marshal, or JSON when Marshal cannot read it.
    module MarshalWithJsonFallback
      module_function

      def load(value)
        Marshal.load(value) # rubocop:disable Security/MarshalLoad
      rescue TypeError => e
        begin
          Railsess::JSON.decode(value)
        rescue StandardError
          raise e
        end
      end

      def dump(value) = Marshal.dump(value)
    end
  end
end
