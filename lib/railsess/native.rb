# frozen_string_literal: true

module Railsess
  # Base class of railsess' own errors (misuse, internal failures).
  class Error < StandardError; end

  # The compiled core. Its failures arrive as these classes and are translated by the Ruby
  # classes into whatever the loaded ActiveSupport raises; users never see them.
  module Native
    class FormatError < Railsess::Error; end
    class SignatureError < Railsess::Error; end
    # OpenSSL raises ArgumentError for a wrong IV/key size or empty data; so does the core.
    class CipherArgumentError < ArgumentError; end

    # Markers the core's JSON paths return: Ruby's own parser must decide (`json_parse`); the
    # metadata did not match, so Rails returns nil; the full Ruby path must run.
    JSON_FALLBACK = Object.new.freeze
    JSON_CONTENT = Object.new.freeze
    JSON_GENERAL = Object.new.freeze

    DIGESTS = %w[SHA1 SHA256 SHA384 SHA512].freeze
  end
end

require "railsess/railsess"
