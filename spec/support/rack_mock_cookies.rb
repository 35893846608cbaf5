# frozen_string_literal: true

require "cgi/cookie"

# Ruby 3.1's cgi 0.3.5 rejects a cookie domain with a leading dot, which Rails <= 7.0 writes for
# `domain: :all` (".myapp.test"; browsers accept it, RFC 6265 ignores the dot). Rack 2.2's
# MockResponse, and so every Rack::Test response, parses Set-Cookie with CGI::Cookie and would raise
# ArgumentError "invalid domain" (rails/rails#46578, ruby/cgi#29, fixed in cgi 0.3.6). This accepts
# the leading dot as cgi 0.3.6 does; the rest of the domain is still checked.
module LeadingDotCookieDomain
  def domain=(str)
    if str.is_a?(String) && str.start_with?(".")
      super(str[1..])
      @domain = str
    else
      super
    end
  end
end

unless CGI::Cookie::DOMAIN_VALUE_RE.match?(".myapp.test") || CGI::Cookie <= LeadingDotCookieDomain
  CGI::Cookie.prepend(LeadingDotCookieDomain)
end
