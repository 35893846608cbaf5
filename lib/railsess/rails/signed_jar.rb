# frozen_string_literal: true

require "railsess/rails/serialized_cookie_jars"

module Railsess
  module RailsIntegration
    # ActionDispatch::Cookies::SignedKeyRotatingCookieJar#initialize, on railsess.
    module SignedJar
      include SerializedCookieJars

      private

      def railsess_jar
        key = railsess_key(:signed, signed_cookie_digest, request.signed_cookie_salt)
        @verifier = RailsIntegration.fetch(key) { railsess_verifier }
      end

      def railsess_verifier
        rotate_as_rails(CookieJarRecipe.new(request).verifier(Verifier, serializer: null_serializer), :signed)
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
