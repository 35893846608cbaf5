# frozen_string_literal: true

require "railsess/rails/json_serializer"
require "railsess/cookie_jar_recipe"
require "railsess/rails/encryptor_cache"

module Railsess
  module RailsIntegration
    # What the two jars share (ActionDispatch's SerializedCookieJars): the serializer swap and
    # the cache key of a request's settings.
    module SerializedCookieJars
      # Rails' own initialize while RailsIntegration is off; else the jar's codec, cached
      # (each jar's railsess_jar).
      def initialize(parent_jar)
        if RailsIntegration.enabled?
          @parent_jar = parent_jar
          railsess_jar
        else
          super
        end
      end

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

      def null_serializer = ::ActiveSupport::MessageEncryptor::NullSerializer

      # `config.action_dispatch.cookies_rotations` of this jar's kind, as ActionDispatch adds them.
      def rotate_as_rails(codec, kind)
        request.cookies_rotations.public_send(kind).each do |(*secrets)|
          options = secrets.last.is_a?(Hash) ? secrets.pop : {}
          codec.rotate(*secrets, serializer: null_serializer, **options)
        end
        codec
      end
    end
  end
end
