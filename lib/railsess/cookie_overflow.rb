# frozen_string_literal: true

require "railsess/error_bridge"

module Railsess
  # Raised (by default) when a cookie's value is over 4096 bytes, as Rails raises
  # ActionDispatch::Cookies::CookieOverflow (a subclass of it when ActionDispatch is loaded).
  CookieOverflow = ErrorBridge.build("ActionDispatch::Cookies::CookieOverflow")
end
