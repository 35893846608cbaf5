# frozen_string_literal: true

require "openssl"

module Railsess
  # Rails' cookie jars and session stores on railsess (see lib/railsess/rails_integration.rb).
  module RailsIntegration
    # What a request's key generator derives from, compared by value: a SHA256 over the class,
    # iterations, digest and secret of an ActiveSupport or railsess KeyGenerator (through a
    # CachingKeyGenerator), so a cache key never shows the secret; one short String keeps the
    # cache's lookups cheap. Any other generator (a subclass, an app's own) is only equal to
    # itself. Memoized per generator object.
    module KeyGeneratorIdentity
      @memo = ObjectSpace::WeakMap.new

      class << self
        def of(generator)
          @memo[generator] || (@memo[generator] = compute(generator))
        end

        private

        def compute(generator)
          inner = caching?(generator) ? generator.instance_variable_get(:@key_generator) : generator
          return [:object, generator.object_id].freeze unless plain?(inner)

          secret = inner.instance_variable_get(:@secret)
          iterations = inner.instance_variable_get(:@iterations)
          return [:object, generator.object_id].freeze unless secret.is_a?(String) && iterations.is_a?(Integer)

          # ActiveSupport 6.1 keeps no digest: it always derives with SHA1.
          digest = inner.instance_variable_get(:@hash_digest_class) || OpenSSL::Digest::SHA1
          sha = OpenSSL::Digest.new("SHA256")
          sha << inner.class.name << "\0" << iterations.to_s << "\0" << digest.to_s << "\0" << secret
          sha.digest.freeze
        end

        def caching?(generator)
          one_of?(generator, Railsess::CachingKeyGenerator, "ActiveSupport::CachingKeyGenerator")
        end

        def plain?(generator) = one_of?(generator, Railsess::KeyGenerator, "ActiveSupport::KeyGenerator")

        # Exactly these classes: a subclass may derive differently.
        def one_of?(object, klass, active_support_name)
          return true if object.instance_of?(klass)

          active_support_class = Compat.active_support_const(active_support_name)
          active_support_class ? object.instance_of?(active_support_class) : false
        end
      end
    end
  end
end
