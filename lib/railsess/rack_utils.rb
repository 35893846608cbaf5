# frozen_string_literal: true

require "rack/utils"

# railsess (see lib/railsess.rb).
module Railsess
  # `Rack::Utils.escape` / `unescape` (URI.encode_www_form_component / decode_www_form_component)
  # in the core: the same bytes, encodings and errors, several times faster on the long base64
  # values of Rails' cookies, whose escaping and unescaping is a large part of what a session costs
  # a request. `Railsess.use_native_rack_escaping!` turns it on (the Railtie does, unless
  # `config.railsess.native_rack_escaping = false`); strings the core does not take (not
  # ASCII-compatible, invalid, non-Strings) and every error go to Rack's own methods.
  module RackUtils
    class << self
      attr_accessor :enabled
    end

    # Strings the core takes: plain, ASCII-compatible and valid (Ruby's regexps raise on the rest).
    def self.native?(string)
      enabled && string.instance_of?(String) && string.encoding.ascii_compatible? && string.valid_encoding?
    end

    def escape(string)
      return super unless RackUtils.native?(string)

      Native.www_form_escape(string).force_encoding(Encoding::US_ASCII)
    end

    def unescape(string, encoding = Encoding::UTF_8)
      return super unless RackUtils.native?(string)

      decoded = Native.www_form_unescape(string)
      decoded ? decoded.force_encoding(encoding) : super # super raises Ruby's ArgumentError
    end
  end

  class << self
    def use_native_rack_escaping!
      ::Rack::Utils.singleton_class.prepend(RackUtils) unless ::Rack::Utils.singleton_class <= RackUtils
      RackUtils.enabled = true
    end
  end
end
