# frozen_string_literal: true

require "rack"
require "rack/mock"

# Rack 2.2's MockResponse (used by Rack::Test) parses every Set-Cookie into a CGI::Cookie, and
# Debian's Ruby 3.1 cgi rejects a leading dot in its domain, so Rails <= 7.0's `domain: :all`
# cookies (".myapp.test", which browsers accept: RFC 6265 ignores the dot) would make every such
# request raise inside the test library. MockResponse#cookies is not used by these specs (they read
# headers and Rack::Test's own cookie jar), so a header it cannot parse is skipped there.
module TolerantMockResponseCookies
  private

  def parse_cookies_from_header
    super
  rescue ArgumentError
    {}
  end
end

if Rack::MockResponse.private_method_defined?(:parse_cookies_from_header)
  Rack::MockResponse.prepend(TolerantMockResponseCookies)
end
