# frozen_string_literal: true

# railsess: Rails' message crypto (KeyGenerator, MessageEncryptor, MessageVerifier), byte for byte,
# with a Rust core. See README.md.
require "railsess/version"
require "railsess/native"
require "railsess/compat"
require "railsess/error_bridge"
require "railsess/serializers"
require "railsess/key_generator"
require "railsess/caching_key_generator"
require "railsess/message_verifier"
require "railsess/message_encryptor"

# The Rack layer (needs rack), loaded on first use.
module Railsess
  autoload :Presets, "railsess/presets"
  autoload :CookieConfig, "railsess/cookie_config"
  autoload :CookieCodec, "railsess/cookie_codec"
  autoload :CookieOverflow, "railsess/cookie_overflow"
  autoload :CookieDomain, "railsess/cookie_domain"
  autoload :CookieJar, "railsess/cookie_jar"
  autoload :Cookies, "railsess/cookies"
  autoload :Flash, "railsess/flash"
  autoload :Warden, "railsess/warden"
  autoload :CSRF, "railsess/csrf"
  autoload :RackUtils, "railsess/rack_utils"

  # Rack session middlewares.
  module Session
    autoload :CookieStore, "railsess/session/cookie_store"
    autoload :RedisStore, "railsess/session/redis_store"
    autoload :MemcacheStore, "railsess/session/memcache_store"
    autoload :CacheEntry, "railsess/session/cache_entry"
  end

  # The module-level API: which Rails version to behave like, which metadata form to write,
  # which implementation runs, and the switches a Rails app (the Railtie) or a Rack app flips.
  class << self
    # An explicit Rails version to behave like ("6.1" ... "8.1"), or nil to follow the loaded
    # ActiveSupport (Rails 8.1 when none is loaded).
    attr_accessor :rails_version

    # true/false to decide which metadata form is written; nil (the default) follows ActiveSupport.
    attr_writer :use_message_serializer_for_metadata

    # Mirrors ActiveSupport::Messages::Metadata.use_message_serializer_for_metadata: follows it
    # when ActiveSupport 7.1+ is loaded, false with older ActiveSupport, true with none.
    def use_message_serializer_for_metadata(level = Compat.level)
      return @use_message_serializer_for_metadata unless @use_message_serializer_for_metadata.nil?

      if Compat.active_support_at_least?(7, 1)
        # Not loaded yet (ActiveSupport 8.1 loads it with its message classes): its default, nil.
        metadata = Compat.active_support_const("ActiveSupport::Messages::Metadata")
        metadata&.use_message_serializer_for_metadata ? true : false
      else
        level.codec_71? && !Compat.active_support?
      end
    end

    # true when the compiled extension is in use, false with the pure-Ruby implementation
    # (set by railsess/native when it loads one or the other).
    def native?
      @native
    end

    # Rack::Utils.escape/unescape (every cookie's) in the core for everything using Rack::Utils;
    # see RackUtils.
    def use_native_rack_escaping!
      ::Rack::Utils.singleton_class.prepend(RackUtils) unless ::Rack::Utils.singleton_class <= RackUtils
      RackUtils.enabled = true
    end

    # Puts a Rails app's cookie jars (ActionDispatch's, built from now on) and cookie session
    # store on railsess: the Railtie calls it; outside one, `Railsess.install!` after
    # `require "railsess"` (ActionDispatch is loaded then if it is not yet). See
    # RailsIntegration (loaded here, not by `require "railsess"`, so a plain Rack app never loads it).
    def install!
      require "railsess/rails_integration"
      RailsIntegration.install!
    end

    # Back to ActiveSupport for every jar built from now on (and to Rack's own cookie escaping).
    def uninstall!
      require "railsess/rails_integration"
      RailsIntegration.uninstall!
    end
  end
end

# In a Rails app (Bundler requires "railsess" after Rails): the Railtie.
require "railsess/railtie" if defined?(Rails::Railtie)
