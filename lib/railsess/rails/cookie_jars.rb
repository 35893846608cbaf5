# frozen_string_literal: true

require "railsess"
require "railsess/rails/session_cookie_store"
require "railsess/rails/encryptor_cache"
require "railsess/rails/upgraded_cookies"

# railsess (see lib/railsess.rb).
module Railsess
  # Puts ActionDispatch's own cookie jars (and so Rails' cookie session store, which reads and
  # writes through `cookies.encrypted`) on railsess: `Railsess.install!` (the Railtie calls it).
  #
  # The jars are built exactly as ActionDispatch builds them (same key generator, salts, cipher,
  # digests, `cookies_rotations`, CBC<->GCM upgrade) with Railsess::MessageEncryptor /
  # MessageVerifier in place of ActiveSupport's, so the bytes on the wire do not change; with
  # `cookies_serializer = :json` the jar's JSON goes through Railsess::JSON (the same bytes,
  # parsed natively). A cipher or digest the core does not run is handed to ActiveSupport, as
  # Railsess::MessageEncryptor always does. A cookie read through a rotation emits
  # `rotated_cookie.railsess` (payload: jar, purpose) so operators can watch a mixed deploy drain.
  # On an ActionDispatch without Rails' fix for CVE-2026-126077, UpgradedCookies backports it.
  module RailsIntegration
    EVENT = "rotated_cookie.railsess"

    @enabled = false
    @installed = false
    @cache = EncryptorCache.new
    @lock = Mutex.new

    class << self
      def install!
        return enable! if @installed

        require_action_dispatch
        @lock.synchronize do
          unless @installed
            ::ActionDispatch::Cookies::EncryptedKeyRotatingCookieJar.prepend(EncryptedJar)
            ::ActionDispatch::Cookies::SignedKeyRotatingCookieJar.prepend(SignedJar)
            ::ActionDispatch::Session::CookieStore.prepend(SessionCookieStore)
            UpgradedCookies.install if UpgradedCookies.needed?
            @installed = true
          end
        end
        require "railsess/session/redis_store"
        Session.define_rails_redis_store
        require "railsess/session/memcache_store"
        Session.define_rails_memcache_store
        enable!
      end

      def enable!
        @enabled = true
        RackUtils.enabled = true if defined?(RackUtils) && ::Rack::Utils.singleton_class <= RackUtils
        true
      end

      # Back to ActiveSupport for every jar built from now on (and to Rack's own escaping).
      def uninstall!
        @enabled = false
        RackUtils.enabled = false if defined?(RackUtils)
      end

      def enabled? = @enabled

      # Whether ActionDispatch's :json cookies are plain ActiveSupport::JSON (before Rails 7.1).
      def plain_json_cookies?
        return @plain_json_cookies unless @plain_json_cookies.nil?

        @plain_json_cookies = ::ActionPack.gem_version < Gem::Version.new("7.1")
      end

      # The encryptors/verifiers, one per configuration: built on first use, shared by every
      # request (they are thread-safe and hold no per-request state), bounded (EncryptorCache).
      attr_reader :cache

      def fetch(key, &) = @cache.fetch(key, &)
      def clear_cache! = @cache.clear

      def instrument(jar, purpose)
        notifications = Compat.active_support_const("ActiveSupport::Notifications")
        notifications&.instrument(EVENT, jar: jar, purpose: purpose)
      end

      # The jar's on_rotation, reporting the read through a rotation first.
      def reporting(jar, purpose, on_rotation)
        lambda do
          instrument(jar, purpose)
          on_rotation&.call
        end
      end

      private

      def require_action_dispatch
        require "action_dispatch"
        require "action_dispatch/middleware/cookies"
        require "action_dispatch/middleware/session/cookie_store"
      rescue LoadError => e
        raise LoadError, "Railsess.install! puts ActionDispatch's cookie jars on railsess, but ActionDispatch " \
                         "(the actionpack gem) cannot be loaded (#{e.message}). A plain Rack app uses the " \
                         "middlewares instead: Railsess::Session::CookieStore, Railsess::Cookies."
      end
    end

    # Rails' JsonSerializer / :json cookie serializer, on Railsess::JSON.
    module JsonSerializer
      module_function

      def load(value) = Railsess::JSON.decode(value)
      def dump(value) = Railsess::JSON.encode(value)
    end

    # What the two jars share: the serializer swap and the cache key of a request's settings.
    module Common
      private

      # Rails 6.1/7.0's :json cookie serializer is ActiveSupport::JSON alone, which Railsess::JSON
      # is. 7.1+'s also reads the MessagePack and Marshal dumps it may fall back to, and rewrites
      # them: that one stays Rails'.
      def serializer
        return super unless RailsIntegration.enabled? && request.cookies_serializer == :json
        return super unless RailsIntegration.plain_json_cookies?

        JsonSerializer
      end

      # The cache key of what the jar's codec is built from, by value (KeyGeneratorIdentity):
      # requests with equal settings share one codec, whatever objects carry the settings.
      def railsess_key(kind, *settings)
        rotations = request.cookies_rotations
        [kind, KeyGeneratorIdentity.of(request.key_generator), request.secret_key_base.present?,
         rotations.public_send(kind).hash, *settings]
      end

      def null_serializer = JarEncryptors.null_serializer

      # `config.action_dispatch.cookies_rotations` of this jar's kind, as ActionDispatch adds them.
      def rotate_as_rails(codec, kind)
        request.cookies_rotations.public_send(kind).each do |(*secrets)|
          options = secrets.last.is_a?(Hash) ? secrets.pop : {}
          codec.rotate(*secrets, serializer: null_serializer, **options)
        end
        codec
      end
    end

    # The encrypted jar's encryptors, derived as ActionDispatch derives them. They carry Rails'
    # NullSerializer (serializing is the jar's business) unless given another serializer.
    module JarEncryptors
      module_function

      # The one Rails tries first: the configured AEAD cipher with authenticated encryption,
      # otherwise AES-256-CBC + HMAC with MessageEncryptor's default digest.
      def primary(request, klass, serializer = null_serializer)
        if request.use_authenticated_cookie_encryption
          aead(request, klass, serializer)
        else
          cbc(request, nil, klass, serializer)
        end
      end

      def aead(request, klass, serializer = null_serializer)
        cipher = request.encrypted_cookie_cipher || "aes-256-gcm"
        secret = request.key_generator.generate_key(request.authenticated_encrypted_cookie_salt,
                                                    MessageEncryptor.key_len(cipher))
        klass.new(secret, cipher: cipher, serializer: serializer)
      end

      def cbc(request, digest, klass, serializer = null_serializer)
        secret = request.key_generator.generate_key(request.encrypted_cookie_salt,
                                                    MessageEncryptor.key_len("aes-256-cbc"))
        sign_secret = request.key_generator.generate_key(request.encrypted_signed_cookie_salt)
        klass.new(secret, sign_secret, cipher: "aes-256-cbc", digest: digest, serializer: serializer)
      end

      def null_serializer = ::ActiveSupport::MessageEncryptor::NullSerializer
    end

    # ActionDispatch::Cookies::EncryptedKeyRotatingCookieJar#initialize, on railsess.
    module EncryptedJar
      include Common

      def initialize(parent_jar)
        unless RailsIntegration.enabled?
          super
          return
        end

        @parent_jar = parent_jar
        auth = request.use_authenticated_cookie_encryption
        key = railsess_key(:encrypted, auth, encrypted_cookie_cipher, digest,
                           request.authenticated_encrypted_cookie_salt, request.encrypted_cookie_salt,
                           request.encrypted_signed_cookie_salt)
        @encryptor = RailsIntegration.fetch(key) { railsess_encryptor }
      end

      private

      def railsess_encryptor
        encryptor = rotate_as_rails(JarEncryptors.primary(request, Encryptor), :encrypted)
        if upgrade_legacy_hmac_aes_cbc_cookies?
          encryptor.fall_back_to(JarEncryptors.cbc(request, digest, Encryptor))
        elsif prepare_upgrade_legacy_hmac_aes_cbc_cookies?
          encryptor.fall_back_to(JarEncryptors.aead(request, Encryptor))
        end
        encryptor
      end

      # The jar's encryptor: reports reads through a rotation.
      class Encryptor < MessageEncryptor
        def decrypt_and_verify(message, on_rotation: @on_rotation, purpose: nil, **options)
          rotated = RailsIntegration.reporting(:encrypted, purpose, on_rotation)
          super(message, on_rotation: rotated, purpose: purpose, **options)
        end
      end
    end

    # ActionDispatch::Cookies::SignedKeyRotatingCookieJar#initialize, on railsess.
    module SignedJar
      include Common

      def initialize(parent_jar)
        unless RailsIntegration.enabled?
          super
          return
        end

        @parent_jar = parent_jar
        key = railsess_key(:signed, signed_cookie_digest, request.signed_cookie_salt)
        @verifier = RailsIntegration.fetch(key) { railsess_verifier }
      end

      private

      def railsess_verifier
        secret = request.key_generator.generate_key(request.signed_cookie_salt)
        rotate_as_rails(Verifier.new(secret, digest: signed_cookie_digest, serializer: null_serializer), :signed)
      end

      # The jar's verifier: reports reads through a rotation.
      class Verifier < MessageVerifier
        def verified(message, on_rotation: @on_rotation, purpose: nil, **options)
          super(message, on_rotation: RailsIntegration.reporting(:signed, purpose, on_rotation), purpose: purpose,
                         **options)
        end
      end
    end
  end
end
