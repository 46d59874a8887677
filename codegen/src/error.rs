//! Why [`compile_protos`](crate::compile_protos) failed, told in a build script user's terms:
//! for a `.proto` that cannot be found, which file and which places were searched.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why [`compile_protos`](crate::compile_protos) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A `.proto` file (given, or imported by one) is in none of the include paths.
    NotFound(NotFound),
    /// A `.proto` file could not be read or parsed, or does not check.
    Proto(protox::Error),
    /// prost-build could not write the generated code.
    Generate(std::io::Error),
}

/// A `.proto` file that is in none of the include paths, and where it was looked for.
#[derive(Debug)]
pub struct NotFound {
    /// The file as it was named: in the `protos` argument, or in an `import`.
    pub name: String,
    /// The file that imports it, if it was an import.
    pub imported_by: Option<String>,
    /// Each place looked at, as an absolute path (relative ones are resolved against the
    /// build script's working directory, the package root).
    pub searched: Vec<PathBuf>,
    /// protox's own error.
    pub source: protox::Error,
}

impl Error {
    /// Classifies protox's error for `protos` under `includes`.
    pub(crate) fn from_protox(
        error: protox::Error,
        protos: &[impl AsRef<Path>],
        includes: &[impl AsRef<Path>],
    ) -> Error {
        if !error.is_file_not_found() {
            return Error::Proto(error);
        }
        let message = error.to_string();
        // "import 'a/b.proto' not found": a given file was found, one it imports was not.
        let import = message
            .strip_prefix("import '")
            .and_then(|rest| rest.split_once('\''))
            .map(|(name, _)| name.to_owned());
        let name = match &import {
            Some(name) => name.clone(),
            None => match protos
                .iter()
                .map(AsRef::as_ref)
                .find(|p| !found(p, includes))
            {
                Some(missing) => missing.display().to_string(),
                None => return Error::Proto(error),
            },
        };
        let mut searched: Vec<PathBuf> = includes
            .iter()
            .map(|include| absolute(&include.as_ref().join(&name)))
            .collect();
        if import.is_none() && !searched.contains(&absolute(Path::new(&name))) {
            searched.insert(0, absolute(Path::new(&name)));
        }
        Error::NotFound(NotFound {
            name,
            imported_by: import.and_then(|_| error.file().map(str::to_owned)),
            searched,
            source: error,
        })
    }
}

/// Whether protox can open `proto`: as a path, or under an include path.
fn found(proto: &Path, includes: &[impl AsRef<Path>]) -> bool {
    proto.is_file() || includes.iter().any(|i| i.as_ref().join(proto).is_file())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot find the .proto file `{}`", self.name)?;
        if let Some(importer) = &self.imported_by {
            write!(f, ", imported by `{importer}`")?;
        }
        write!(f, ". Looked for it at:")?;
        for path in &self.searched {
            write!(f, "\n  {}", path.display())?;
        }
        write!(
            f,
            "\nName each file, and each import, relative to an include path (with include \
             `proto`, the file proto/demo/v1/users.proto is `demo/v1/users.proto`); relative \
             include paths start at the package root, where Cargo.toml is."
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(e) => e.fmt(f),
            Error::Proto(e) => write!(f, "cannot compile the .proto files: {e}"),
            Error::Generate(e) => write!(f, "cannot generate the Rust code: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::NotFound(e) => Some(&e.source),
            Error::Proto(e) => Some(e),
            Error::Generate(e) => Some(e),
        }
    }
}
