# frozen_string_literal: true

module Railsess
  module Compat
    # One Rails behaviour level, as `Compat.level` picks it: 6.1, 7.0, 7.1 or 7.2 (which covers
    # 7.2 to 8.1). `code` (61, 70, 71, 72) is what the core takes (ext/railsess-core/src/compat.rs
    # names the byte-level differences); the predicates name the rest, so no caller compares
    # version numbers.
    class Level
      attr_reader :code

      def initialize(code, name)
        @code = code
        @name = name
        freeze
      end

      # 6.1 itself: "empty" means String#blank?, the verifier `split("--")`s, digests are
      # constants (exact upper-case names), CSRF tokens and cache entries keep 6.1's padding and
      # truncation.
      def rails_61? = @code == 61

      # 7.0 itself (MessageVerifier#valid_message?'s checks).
      def rails_70? = @code == 70

      # ActiveSupport 7.1's Messages::Codec: failures thrown and caught (:invalid_message_format,
      # ...) instead of raised, no rotation on a nil result, metadata inside the serializer's
      # output when configured, `url_safe:`, US-ASCII messages. False: 6.1/7.0's
      # Messages::Metadata.verify and rescue-based errors (MessageEncryptor::Legacy, ...).
      def codec_71? = @code >= 71

      # ActionDispatch before 7.1 writes `domain: :all` cookies with a leading dot.
      def leading_dot_cookie_domain? = @code < 71

      # 7.1+'s cookie serializers are ActiveSupport::Messages::SerializerWithFallback (:hybrid
      # is :json_allow_marshal); before, :marshal also read JSON and :hybrid was its own.
      def cookie_serializers_with_fallback? = @code >= 71

      def to_s = @name
      def inspect = "#<#{self.class.name} #{@name}>"
    end
  end
end
