# frozen_string_literal: true

# Seeds fuzz/corpus/<target>/ from the vectors real Rails wrote (spec/fixtures/vectors): every
# message, cookie value and plaintext, so the fuzzers start from valid inputs of every format.
require "cgi"
require "digest"
require "fileutils"
require "json"
require "base64"

root = File.expand_path("..", __dir__)
seeds = Hash.new { |h, k| h[k] = [] }
Dir[File.join(root, "spec/fixtures/vectors/rails-*.json")].each do |path|
  JSON.parse(File.read(path))["vectors"].each do |v|
    seeds["decrypt"] << v["message"] if v["message"]
    seeds["decrypt"] << CGI.unescape(v["cookie_value"]) if v["cookie_value"]
    seeds["www_form"] << v["cookie_value"] << v["set_cookie"] if v["cookie_value"]
    seeds["round_trip"] << ("\x05".b + Base64.decode64(v["plaintext_b64"])) if v["plaintext_b64"]
  end
end
seeds.each do |target, inputs|
  dir = File.join(__dir__, "corpus", target)
  FileUtils.mkdir_p(dir)
  inputs.compact.uniq.each { |input| File.binwrite(File.join(dir, Digest::SHA1.hexdigest(input)), input) }
  puts "fuzz corpus #{target}: #{inputs.uniq.size} seeds"
end
