# frozen_string_literal: true

require "fileutils"

# Real Rails release trees for specs that run them in a subprocess: unpacked from
# ../shared/rails/rails-TAG.tar.gz into tmp/rails/rails-TAG (where bin/spec-newer-rails puts
# them too), once.
module NewerRails
  ROOT = File.expand_path("../..", __dir__)

  module_function

  # The tree's directory, or nil when its tarball is not there.
  def tree(tag)
    dest = File.join(ROOT, "tmp", "rails", "rails-#{tag}")
    return dest if File.directory?(File.join(dest, "actionpack", "lib"))

    tarball = File.join(ROOT, "..", "shared", "rails", "rails-#{tag}.tar.gz")
    return nil unless File.file?(tarball)

    partial = "#{dest}.partial.#{Process.pid}"
    FileUtils.rm_rf(partial)
    FileUtils.mkdir_p(partial)
    system("tar", "-xzf", tarball, "-C", partial, "--strip-components=1", exception: true)
    FileUtils.rm_rf(dest)
    File.rename(partial, dest)
    dest
  end

  # RUBYLIB for a tree's ActiveSupport, ActionPack, ActionView and ActiveModel.
  def rubylib(tree) = %w[activesupport actionpack actionview activemodel].map { |l| "#{tree}/#{l}/lib" }.join(":")
end
