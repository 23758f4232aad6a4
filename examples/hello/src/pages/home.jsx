// The hello extension's page (a Symphony JSX resource, registered by hello2 and later).
export default function Home() {
  const [name, setName] = React.useState("World");
  const [reply, setReply] = React.useState(null);
  const greet = async () => {
    const res = await fetch(`/api/hello/hello?name=${encodeURIComponent(name)}`);
    setReply(await res.json());
  };
  return (
    <div className="p-4">
      <h1>Hello from a TypeScript extension</h1>
      <input value={name} onChange={(e) => setName(e.target.value)} />
      <button onClick={greet}>Greet</button>
      {reply && <p>{reply.message} (greeting #{reply.count})</p>}
    </div>
  );
}
