# frozen_string_literal: true

require "railsess/rails/serialized_cookie_jars"

module Railsess
  module RailsIntegration
    # ActionDispatch::Cookies::SignedKeyRotatingCookieJar#initialize, on railsess.
    module SignedJar
      include SerializedCookieJars

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
